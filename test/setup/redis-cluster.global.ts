/**
 * vitest globalSetup: one real Redis Cluster (3 primaries, 1 replica each) for the whole run, when
 * the scale-out suites are on (REDIS_URL set). Test files read its seed list with
 * `redisClusterUrl()` from test/helpers/scale.ts; it is null when no cluster was started.
 *
 * Without redis-server: under CI (CI=true) the run fails, else the cluster is just not there (null).
 */
import type { TestProject } from 'vitest/node';
import { redisServerAvailable, startRedisCluster } from '../helpers/redis-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared cluster's seeds, comma-joined (a cluster `REDIS_URL`), or null. */
    redisClusterUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!process.env.REDIS_URL) {
    project.provide('redisClusterUrl', null);
    return undefined;
  }
  if (!redisServerAvailable()) {
    const why = 'redis-server and redis-cli are needed for the Redis Cluster of the scale-out suites (REDIS_URL is set) and are not on PATH: apt-get install -y redis-server';
    if (process.env.CI === 'true') throw new Error(why);
    console.warn(`${why}; suites that need the cluster will find none`);
    project.provide('redisClusterUrl', null);
    return undefined;
  }
  const cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
  project.provide('redisClusterUrl', cluster.url);
  return () => cluster.stop();
}
