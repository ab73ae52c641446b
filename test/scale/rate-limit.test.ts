/**
 * Rate limits when scaled out: two services on one PostgreSQL and one Redis share every count (the
 * N+1-th request is refused whichever process it reaches, also when they arrive at once), and the
 * limits fail open to per-process counting while Redis is down or does not answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../packages/wardbell/src/config/index.js';
import { redisRateLimitStore } from '../../packages/wardbell/src/http/rate-limit-store.js';
import { rateLimitsFrom, type RateLimits } from '../../packages/wardbell/src/http/rate-limit.js';
import { eventually } from '../helpers/eventually.js';
import { createTestDatabase, REDIS_URL, scaleOut, testPrefix } from '../helpers/scale.js';
import { postJson, startService, type TestService } from '../helpers/service.js';

const event = { type: 'schedule.published', data: null, to: { tenant: true } };
const publisher = { roles: ['service'], wards: [] };

describe.skipIf(!scaleOut)('rate limits across processes, counted in Redis', () => {
  let a: TestService;
  let b: TestService;
  let database: { url: string; drop(): Promise<void> };
  let prefix: string;
  let redis: Redis;

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = testPrefix();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: REDIS_URL as string,
      WARDBELL_REDIS_PREFIX: prefix,
      WARDBELL_RATE_LIMIT_PUBLISH_PER_USER: '4',
      WARDBELL_RATE_LIMIT_PUBLISH_PER_TENANT: '10',
      WARDBELL_RATE_LIMIT_TICKET_PER_ADDRESS: '6',
    };
    a = await startService(env);
    b = await startService(env);
    redis = new Redis(REDIS_URL as string);
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await database?.drop();
  });

  it('admits a user\'s limit once across both processes: the next request is refused whichever it reaches', async () => {
    const t = await a.token({ tenantId: 'h1', userId: 'planner', ...publisher });
    const statuses: number[] = [];
    for (const svc of [a, b, a, b]) statuses.push((await postJson(`${svc.url}/api/events`, event, t)).status);
    expect(statuses).toEqual([202, 202, 202, 202]);
    const onA = await postJson(`${a.url}/api/events`, event, t);
    const onB = await postJson(`${b.url}/api/events`, event, t);
    expect([onA.status, onB.status]).toEqual([429, 429]);
    expect(onB.json.error.details).toMatchObject({ scope: 'user', limit: 4 });
    // The count is one Redis key under the deployment's prefix, lapsing with the window.
    const ttl = await redis.pttl(`${prefix}:ratelimit:publish:user:h1/planner`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(Number(onB.headers.get('retry-after'))).toBe(Math.ceil(ttl / 1000));
  });

  it('admits exactly the limit of requests that arrive at once, spread over both', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => a.token({ tenantId: 'h2', userId: `svc${i}`, ...publisher })));
    // 6 users x 3 requests, 18 at once over two processes; the tenant's limit is 10.
    const all = await Promise.all(users.flatMap((t, i) => [0, 1, 2].map((j) => postJson(`${((i + j) % 2 ? a : b).url}/api/events`, event, t))));
    expect(all.filter((r) => r.status === 202)).toHaveLength(10);
    expect(all.filter((r) => r.status === 429).every((r) => r.json.error.details.scope === 'tenant')).toBe(true);
  });

  it('shares the per-address count too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const svc = i % 2 ? b : a;
      statuses.push((await postJson(`${svc.url}/api/sse/ticket`, {}, await svc.token({ tenantId: 'h3', userId: `nurse${i}` }))).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429, 429]);
  });
});

/** A TCP relay to the real Redis that can stop passing commands on (a Redis that hangs). */
async function relay(target: URL): Promise<{ url: string; hold(): void; release(): void; close(): Promise<void> }> {
  const clients = new Set<Socket>();
  let held = false;
  const server: Server = createServer((client) => {
    clients.add(client);
    if (held) client.pause();
    const upstream = connect(Number(target.port || 6379), target.hostname);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      clients.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    hold() {
      held = true;
      for (const c of clients) c.pause();
    },
    release() {
      held = false;
      for (const c of clients) c.resume();
    },
    close: () => new Promise<void>((r) => {
      for (const c of clients) c.destroy();
      server.close(() => r());
    }),
  };
}

const limitsOf = (env: Record<string, string>): RateLimits => rateLimitsFrom(loadConfig(env)) as RateLimits;

describe.skipIf(!scaleOut)('rate limits when Redis does not answer', () => {
  it('counts in the process while Redis is not connected: admitted up to the limit, told once', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => null });
    down.on('error', () => {});
    const told: unknown[] = [];
    const store = redisRateLimitStore({ redis: down, prefix: testPrefix(), limits: limitsOf({ WARDBELL_RATE_LIMIT_SEND_PER_USER: '2' }), onUnavailable: (err) => told.push(err) });
    const seen = [await store.hit('send:user', 'h1/a'), await store.hit('send:user', 'h1/a'), await store.hit('send:user', 'h1/a')];
    expect(seen.slice(0, 2)).toEqual([null, null]);
    expect(seen[2]).toBeGreaterThan(0);
    expect(told).toHaveLength(1);
    expect(store.stats.withoutRedis).toBe(3);
    down.disconnect();
  });

  it('does not wait on a Redis that hangs longer than the deadline, and shares the count again once it answers', async () => {
    const r = await relay(new URL(REDIS_URL as string));
    const client = new Redis(r.url, { maxRetriesPerRequest: null });
    await client.ping();
    const events: string[] = [];
    const prefix = testPrefix();
    const store = redisRateLimitStore({
      redis: client,
      prefix,
      timeoutMs: 100,
      limits: limitsOf({ WARDBELL_RATE_LIMIT_SEND_PER_USER: '100' }),
      onUnavailable: () => events.push('down'),
      onRecovered: () => events.push('up'),
    });
    try {
      expect(await store.hit('send:user', 'h1/a')).toBeNull();
      expect(store.stats.withoutRedis).toBe(0);
      r.hold();
      const started = Date.now();
      expect(await store.hit('send:user', 'h1/a')).toBeNull();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(store.stats.withoutRedis).toBe(1);
      expect(events).toEqual(['down']);
      r.release();
      await eventually(async () => {
        await store.hit('send:user', 'h1/a');
        return events.includes('up');
      }, { timeout: 5_000 });
      expect(events).toEqual(['down', 'up']);
      const check = new Redis(REDIS_URL as string);
      expect(Number(await check.get(`${prefix}:ratelimit:send:user:h1/a`))).toBeGreaterThanOrEqual(2);
      await check.del(`${prefix}:ratelimit:send:user:h1/a`);
      check.disconnect();
    } finally {
      client.disconnect();
      await r.close();
    }
  });
});

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await eventually(() => new Promise<boolean>((res) => spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' }).on('exit', (code) => res(code === 0))), { message: 'redis to start' });
  return child;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!scaleOut)('a service whose Redis stops', () => {
  it('still issues tickets (the limits fail open to its own count), and counts in Redis again when it is back', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const database = await createTestDatabase();
    const svc = await startService({ DATABASE_URL: database.url, REDIS_URL: `redis://127.0.0.1:${port}`, WARDBELL_RATE_LIMIT_TICKET_PER_USER: '3' });
    const metric = async () => Number(/wardbell_rate_limit_counted_without_redis_total (\d+)/.exec(await (await fetch(`${svc.url}/metrics`)).text())?.[1]);
    try {
      const kim = await svc.token({ tenantId: 'h1', userId: 'kim' });
      expect((await postJson(`${svc.url}/api/sse/ticket`, {}, kim)).status).toBe(201);
      expect(await metric()).toBe(0);
      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      // Connection lost: the next counts are this process's own, from zero; nothing is refused for Redis being gone.
      const lee = await svc.token({ tenantId: 'h1', userId: 'lee' });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await postJson(`${svc.url}/api/sse/ticket`, {}, lee)).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
      expect(await metric()).toBeGreaterThanOrEqual(8);
      redis = await startRedis(port);
      // Back: the counts are Redis's again (the backbone reconnects on its own).
      const check = new Redis(`redis://127.0.0.1:${port}`);
      const back = await svc.token({ tenantId: 'h1', userId: 'back' });
      await eventually(async () => {
        await postJson(`${svc.url}/api/sse/ticket`, {}, back);
        return (await check.exists('wardbell:ratelimit:ticket:user:h1/back')) === 1;
      }, { timeout: 10_000, interval: 100 });
      check.disconnect();
    } finally {
      await svc.close();
      redis.kill('SIGKILL');
      await database.drop();
    }
  }, 60_000);
});
