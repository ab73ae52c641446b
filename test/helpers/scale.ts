import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * The scale-out services for tests: the real PostgreSQL and Redis of this machine, named by
 * DATABASE_URL and REDIS_URL. Suites that need them run only when both are set (CI always sets
 * them); each test gets its own database or key prefix.
 */
export const DATABASE_URL = process.env.DATABASE_URL;
export const REDIS_URL = process.env.REDIS_URL;
export const scaleOut = Boolean(DATABASE_URL && REDIS_URL);

/** Creates a fresh database on the configured server; returns its URL and a dropper. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const name = `wardbell_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(DATABASE_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function testPrefix(): string {
  return `wbtest:${randomBytes(6).toString('hex')}`;
}

/**
 * The seeds (comma-joined, a cluster `REDIS_URL`) of the run's shared Redis Cluster, started by
 * test/setup/redis-cluster.global.ts when REDIS_URL is set; null when there is none. Only in test
 * files (it asks the vitest worker). Shared with every suite of the run: use your own keys
 * (`testPrefix()`), and start your own cluster (helpers/redis-cluster.ts) to kill nodes.
 */
export function redisClusterUrl(): string | null {
  return inject('redisClusterUrl') ?? null;
}
