import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../packages/wardbell/src/config/index.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      WARDBELL_DATA_DIR: './data',
      WARDBELL_AUTH_MODE: 'jwt',
      WARDBELL_CORS_ORIGINS: [],
      WARDBELL_HEARTBEAT_MS: 30_000,
      WARDBELL_CLIENT_QUEUE_LIMIT: 100,
      LOG_LEVEL: 'info',
    });
  });

  it('parses comma-separated origins', () => {
    expect(loadConfig({ WARDBELL_CORS_ORIGINS: 'https://a.example, https://b.example' }).WARDBELL_CORS_ORIGINS).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['WARDBELL_AUTH_MODE', 'header'],
    ['WARDBELL_JWT_SECRET', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', 'redis://a:1,not a url'],
    ['WARDBELL_BUS_SHARDS', '0'],
    ['WARDBELL_BUS_SHARDS', '2000'],
    ['WARDBELL_REDIS_CLUSTER', 'yes'],
  ])('refuses %s=%s with a fix hint naming the variable', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(new RegExp(key));
  });

  it('refuses a secret and a public key together', () => {
    expect(() => loadConfig({ WARDBELL_JWT_SECRET: 'x'.repeat(40), WARDBELL_JWT_PUBLIC_KEY: 'pem' })).toThrow(/not both/);
  });

  it('takes one Redis, or a cluster\'s seeds with WARDBELL_REDIS_CLUSTER=true', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({ WARDBELL_REDIS_CLUSTER: false, WARDBELL_BUS_SHARDS: 16 });
    const c = loadConfig({ REDIS_URL: 'redis://10.0.0.1:6379, rediss://u:p@10.0.0.2:6380', WARDBELL_REDIS_CLUSTER: 'true', WARDBELL_BUS_SHARDS: '64' });
    expect(c).toMatchObject({ WARDBELL_REDIS_CLUSTER: true, WARDBELL_BUS_SHARDS: 64 });
    expect(() => loadConfig({ REDIS_URL: 'redis://10.0.0.1:6379,redis://10.0.0.2:6379' })).toThrow(/WARDBELL_REDIS_CLUSTER=true/);
    expect(() => loadConfig({ WARDBELL_REDIS_CLUSTER: 'true' })).toThrow(/REDIS_URL/);
  });
});
