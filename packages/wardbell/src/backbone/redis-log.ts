import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/index.js';
import {
  checkContinuity,
  checkPosition,
  formatEventId,
  newEpoch,
  type Audience,
  type DomainEventType,
  type EventLog,
  type EventPosition,
  type NewEvent,
  type Personal,
  type Retention,
  type StoredEvent,
  type StreamHead,
} from '../events/index.js';
import type { RedisClient } from './redis-client.js';
import type { ShardKeys } from './shards.js';

/**
 * EventLog on Redis Streams (the scale-out deployment). Per tenant: a hash with the epoch and head
 * offset, and a stream whose entry ids are `<offset>-0`, so a replay is one XRANGE from the next
 * offset. One Lua script bumps the head, appends to the tenant's stream and appends the same event
 * to the bus stream of the tenant's shard, atomically: an event is in the log and on the bus, or in
 * neither. The four keys it touches share the shard's hash tag (`shards.ts`), so on a Redis Cluster
 * they are in one slot and the script runs there as on a single Redis.
 *
 * A Redis that lost its data (restart without persistence, FLUSHALL) has no epoch for the tenant:
 * the next append starts a new epoch, so every id issued before is recognisably foreign and clients
 * get an explicit `reset` instead of a silent gap. A failover can lose less than everything (the
 * newest appends had not reached the replica): each append carries a random stamp, so a reader can
 * `confirm` that the event it delivered last is still the log's, and `startOver` when it is not.
 */
export interface RedisLogOptions {
  redis: RedisClient;
  keys: ShardKeys;
  retention: Retention;
  clock: Clock;
  /** Approximate length each shard's bus stream is capped at. Default 100000. */
  busMaxLen?: number;
}

/** Lua: the tenant's epoch (KEYS[1] the meta hash), creating the stream with a new one (ARGV[1]) and registering it in `tenants`. */
const epochOrNew = (tenants: string, tenant: string, created = '') => `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'head', 0)
  redis.call('SADD', ${tenants}, ${tenant})${created}
end`;

const APPEND = `${epochOrNew('KEYS[4]', 'ARGV[4]')}
local off = redis.call('HINCRBY', KEYS[1], 'head', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], off .. '-0', 'e', ARGV[3], 's', ARGV[6])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 't', ARGV[4], 'p', epoch, 'o', off, 'e', ARGV[3], 's', ARGV[6])
return {epoch, off}
`;

const ENSURE = `${epochOrNew('KEYS[2]', 'ARGV[2]', '\n  return {epoch, 0}')}
return {epoch, tonumber(redis.call('HGET', KEYS[1], 'head'))}
`;

/**
 * KEYS meta, log; ARGV epoch, offset, stamp -> 1 kept, 0 lost, -1 cannot tell: trimmed, or another
 * epoch (the log started over; its next event tells every reader so).
 */
const CONFIRM = `
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return -1 end
local head = tonumber(redis.call('HGET', KEYS[1], 'head'))
local id = ARGV[2] .. '-0'
local rows = redis.call('XRANGE', KEYS[2], id, id)
if #rows == 0 then
  if head >= tonumber(ARGV[2]) then return -1 end
  return 0
end
local f = rows[1][2]
for i = 1, #f, 2 do
  if f[i] == 's' then
    if f[i + 1] == ARGV[3] then return 1 end
    return 0
  end
end
return 0
`;

/** KEYS meta, tenants; ARGV new epoch, tenant, old epoch: a new epoch at the head if still the old one. */
const START_OVER = `${epochOrNew('KEYS[2]', 'ARGV[2]', '\n  return {epoch, 0}')}
if epoch == ARGV[3] then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
return {epoch, tonumber(redis.call('HGET', KEYS[1], 'head'))}
`;

/** The entry body shared by the tenant stream and the bus stream. */
interface Entry {
  type: DomainEventType;
  data: unknown;
  audience: Audience;
  personal?: Personal | undefined;
  createdAt: number;
}

export function parseEntry(tenantId: string, epoch: string, offset: number, raw: string, stamp: string | undefined): StoredEvent {
  const e = JSON.parse(raw) as Entry;
  return { id: formatEventId(epoch, offset), tenantId, offset, type: e.type, data: e.data, audience: e.audience, personal: e.personal, createdAt: e.createdAt, stamp };
}

/** The scripts as commands: ioredis sends EVALSHA (the script's hash) and the text only after NOSCRIPT. */
interface ScriptCommands {
  wardbellAppend(...args: string[]): Promise<[string, number]>;
  wardbellEnsure(...args: string[]): Promise<[string, number]>;
  wardbellConfirm(...args: string[]): Promise<number>;
  wardbellStartOver(...args: string[]): Promise<[string, number]>;
}

export function createRedisEventLog(opts: RedisLogOptions): EventLog {
  const { redis, retention, clock } = opts;
  const k = opts.keys;
  const busMaxLen = opts.busMaxLen ?? 100_000;
  redis.defineCommand('wardbellAppend', { numberOfKeys: 4, lua: APPEND });
  redis.defineCommand('wardbellEnsure', { numberOfKeys: 2, lua: ENSURE });
  redis.defineCommand('wardbellConfirm', { numberOfKeys: 2, lua: CONFIRM });
  redis.defineCommand('wardbellStartOver', { numberOfKeys: 2, lua: START_OVER });
  const scripts = redis as unknown as ScriptCommands;

  const head = async (tenantId: string): Promise<StreamHead> => {
    const [epoch, h] = await scripts.wardbellEnsure(k.meta(tenantId), k.tenants(k.shardOf(tenantId)), newEpoch(), tenantId);
    return { epoch, head: Number(h) };
  };

  return {
    async append(e: NewEvent) {
      const createdAt = clock.now();
      const stamp = randomBytes(6).toString('base64url');
      const entry: Entry = { type: e.type, data: e.data ?? null, audience: e.audience, personal: e.personal, createdAt };
      const [epoch, off] = await scripts.wardbellAppend(
        k.meta(e.tenantId),
        k.log(e.tenantId),
        k.bus(k.shardOf(e.tenantId)),
        k.tenants(k.shardOf(e.tenantId)),
        newEpoch(),
        String(retention.maxEvents),
        JSON.stringify(entry),
        e.tenantId,
        String(busMaxLen),
        stamp,
      );
      const offset = Number(off);
      return { id: formatEventId(epoch, offset), tenantId: e.tenantId, offset, type: e.type, data: entry.data, audience: e.audience, personal: e.personal, createdAt, stamp };
    },
    head,
    async readSince(tenantId, pos: EventPosition, limit) {
      const h = await head(tenantId);
      const bad = checkPosition(h, pos);
      if (bad) return { continuity: 'gap', reason: bad };
      if (h.head === pos.offset) return { continuity: 'intact', events: [] };
      const rows = (await redis.xrange(k.log(tenantId), `${pos.offset + 1}-0`, `${h.head}-0`, 'COUNT', limit + 1)) as Array<[string, string[]]>;
      const events = rows.map(([id, fields]) => parseEntry(tenantId, h.epoch, Number(id.split('-')[0]), fields[1] ?? 'null', fields[3]));
      return checkContinuity(h, pos, events, { limit, notBefore: clock.now() - retention.maxAgeMs });
    },
    async confirm(tenantId, epoch, offset, stamp) {
      const r = await scripts.wardbellConfirm(k.meta(tenantId), k.log(tenantId), epoch, String(offset), stamp);
      return r === 1 ? 'kept' : r === 0 ? 'lost' : 'unknown';
    },
    async startOver(tenantId, epoch) {
      const [e, h] = await scripts.wardbellStartOver(k.meta(tenantId), k.tenants(k.shardOf(tenantId)), newEpoch(), tenantId, epoch);
      return { epoch: e, head: Number(h) };
    },
    async trim() {
      // Count-based trimming happens on every append (MAXLEN ~); here, age-based trimming.
      const cutoff = clock.now() - retention.maxAgeMs;
      let n = 0;
      const tenants: string[] = [];
      for (let shard = 0; shard < k.shards; shard++) tenants.push(...(await redis.smembers(k.tenants(shard))));
      for (const t of tenants) {
        for (;;) {
          const rows = (await redis.xrange(k.log(t), '-', '+', 'COUNT', 200)) as Array<[string, string[]]>;
          const firstKept = rows.findIndex(([, f]) => (JSON.parse(f[1] ?? '{}') as Entry).createdAt >= cutoff);
          const drop = firstKept === -1 ? rows.length : firstKept;
          if (drop === 0) break;
          const lastDropped = rows[drop - 1]?.[0] as string;
          n += Number(await redis.xtrim(k.log(t), 'MINID', `${Number(lastDropped.split('-')[0]) + 1}-0`));
          if (firstKept !== -1) break;
        }
      }
      return n;
    },
    async close() {},
  };
}
