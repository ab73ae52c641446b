import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A connection to one Redis or to a Redis Cluster: every command the backbone, the stream quota and the rate limits send works on both. */
export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  /** `redis://` or `rediss://` URLs: the server, or a cluster's seed nodes (one is enough; more survive one being down). */
  urls: string[];
  cluster: boolean;
}

/** `REDIS_URL` as configured: one URL, or with `WARDBELL_REDIS_CLUSTER=true` a comma-separated list of seeds. */
export function redisTarget(url: string, cluster: boolean): RedisTarget {
  const urls = url.split(',').map((u) => u.trim()).filter(Boolean);
  if (urls.length === 0) throw new Error('REDIS_URL names no server');
  if (!cluster && urls.length > 1) throw new Error('REDIS_URL names several servers: that is a cluster\'s seed list, so set WARDBELL_REDIS_CLUSTER=true (or name one server)');
  return { urls, cluster };
}

function seedOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) };
}

/** Credentials and TLS of a URL, as options every node connection of a cluster takes. */
function nodeOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

export interface ConnectOptions {
  /** Shown in `CLIENT LIST`. */
  connectionName?: string;
}

/**
 * A client for the target, not yet connected (`connect()` it). Commands wait while the connection
 * is down and are sent once it is back (`maxRetriesPerRequest: null`); a cluster client also
 * follows slots to a promoted replica. Auto-pipelining sends the commands of one tick together,
 * per node on a cluster (what a pipeline cannot do across slots).
 */
export function createRedisClient(target: RedisTarget, opts: ConnectOptions = {}): RedisClient {
  const name = opts.connectionName ? { connectionName: opts.connectionName } : {};
  if (!target.cluster) {
    return new Redis(target.urls[0] as string, { maxRetriesPerRequest: null, lazyConnect: true, enableAutoPipelining: true, ...name });
  }
  const options: ClusterOptions = {
    lazyConnect: true,
    enableAutoPipelining: true,
    redisOptions: { maxRetriesPerRequest: null, ...nodeOptions(target.urls[0] as string), ...name },
    // A failover takes the cluster's node timeout and an election: keep asking for about 30 s.
    maxRedirections: 300,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
  };
  return new Cluster(target.urls.map(seedOf), options);
}

/** Another connection to the same target (a blocking read holds its connection), named `name`. */
export function readerClient(client: RedisClient, name?: string): RedisClient {
  if (client instanceof Cluster) return client.duplicate([], name ? { redisOptions: { ...client.options.redisOptions, connectionName: name } } : {});
  return name ? client.duplicate({ connectionName: name }) : client.duplicate();
}

/**
 * Calls `fn` whenever a connection of the client closes (on a cluster, any node's). ioredis sends a
 * command in flight again on the new connection, so the command itself does not fail: this is how
 * a reader learns that it lost its connection, and that a failover may have happened meanwhile.
 */
export function onConnectionLost(client: RedisClient, fn: () => void): void {
  if (client instanceof Cluster) {
    // Only the nodes this reader talks to are connected (the pool's are lazy): others never close.
    client.on('+node', (node: Redis) => node.on('close', fn));
  } else {
    client.on('close', fn);
  }
}
