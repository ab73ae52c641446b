/**
 * Bus shards: every tenant belongs to one of a fixed number of shards, and a shard's bus stream and
 * its tenants' log streams share one Redis Cluster hash slot (one hash tag), so the append script
 * touches keys of one slot only. Pure: no connection here.
 */

/** Redis Cluster's key hash: CRC16 (XMODEM) of the key, or of its hash tag, modulo 16384. */
export const SLOTS = 16_384;

const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ b) & 0xff] as number);
  return crc;
}

const utf8 = new TextEncoder();

/** The cluster slot of a key: the hash tag (first `{...}` with something inside) if it has one. */
export function slotOf(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(utf8.encode(key)) % SLOTS;
}

/** FNV-1a, 32 bits: spreads tenant ids over the shards, the same in every process. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

export function shardOf(tenantId: string, shards: number): number {
  return fnv1a(tenantId) % shards;
}

/**
 * The hash tag of each shard: `<prefix>.<shard>.<n>` with the smallest `n` whose slot falls in the
 * shard's own 1/shards of the slot space, so shards spread as evenly over a cluster's primaries as
 * the primaries split the slots (a cluster created by `redis-cli --cluster create` splits them in
 * equal ranges). Without this, 16 tags hash wherever they fall, and one primary may get half.
 */
export function shardTags(prefix: string, shards: number): string[] {
  const tags: string[] = [];
  for (let s = 0; s < shards; s++) {
    const lo = Math.floor((s * SLOTS) / shards);
    const hi = Math.floor(((s + 1) * SLOTS) / shards);
    for (let n = 0; ; n++) {
      const tag = `${prefix}.${s}.${n}`;
      const slot = slotOf(tag);
      if (slot >= lo && slot < hi) {
        tags.push(tag);
        break;
      }
    }
  }
  return tags;
}

/** The Redis keys of a deployment (prefix) with its shard count. */
export interface ShardKeys {
  readonly shards: number;
  shardOf(tenantId: string): number;
  /** The shard's bus stream: every event of its tenants, in append order. */
  bus(shard: number): string;
  /** The shard's tenants that have a log (for age-based trimming). */
  tenants(shard: number): string;
  /** A tenant's epoch and head. */
  meta(tenantId: string): string;
  /** A tenant's log stream (entry ids `<offset>-0`). */
  log(tenantId: string): string;
}

export function shardKeys(prefix: string, shards: number): ShardKeys {
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`bus shards must be a positive integer, got ${shards}`);
  const tags = shardTags(prefix, shards);
  const tagOf = (tenantId: string) => tags[shardOf(tenantId, shards)] as string;
  return {
    shards,
    shardOf: (t) => shardOf(t, shards),
    bus: (s) => `${prefix}:bus:{${tags[s]}}`,
    tenants: (s) => `${prefix}:tenants:{${tags[s]}}`,
    meta: (t) => `${prefix}:ev:{${tagOf(t)}}:${t}:meta`,
    log: (t) => `${prefix}:ev:{${tagOf(t)}}:${t}:log`,
  };
}
