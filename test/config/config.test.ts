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
  ])('refuses %s=%s with a fix hint naming the variable', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(new RegExp(key));
  });

  it('refuses a secret and a public key together', () => {
    expect(() => loadConfig({ WARDBELL_JWT_SECRET: 'x'.repeat(40), WARDBELL_JWT_PUBLIC_KEY: 'pem' })).toThrow(/not both/);
  });
});
