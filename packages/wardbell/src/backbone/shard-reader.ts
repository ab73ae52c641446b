import { onConnectionLost, type RedisClient } from './redis-client.js';

/** One entry of a shard's bus stream, as XREAD returns it. */
export type BusEntry = [id: string, fields: string[]];

export interface ShardReaderOptions {
  /** The connection this reader blocks on (its own). */
  conn: RedisClient;
  /** The command connection, to wake a blocked read when a shard is added (`CLIENT UNBLOCK`); null where each reader reads one shard. */
  control: RedisClient | null;
  streamOf(shard: number): string;
  blockMs: number;
  /** Entries of one shard, in stream order. */
  onEntries(shard: number, entries: BusEntry[]): void;
  /** A read succeeded after one failed: what the shards held may have changed meanwhile. */
  onResumed(shards: number[]): void;
  onError(err: unknown): void;
}

/**
 * The blocking read loop over a set of shard streams: one `XREAD ... STREAMS s1 s2 ... id1 id2 ...`
 * names every shard it reads, each from the id after the last entry it handed on, so a dropped
 * connection resumes where it left off. Adding a shard wakes a blocked read (the new shard is in
 * the next one); removing one needs no wake (its entries are no longer handed on).
 */
export class ShardReader {
  private readonly cursors = new Map<number, string>();
  private running = true;
  /** A read failed or the connection closed since the last read: the next one that succeeds is a resumption. */
  private failed = false;
  /** The reading connection's id on the server, for `CLIENT UNBLOCK` (unknown after a reconnect). */
  private clientId: number | null = null;
  /** Bumped when a shard is added; the read in flight names the shards of `readingGen`. */
  private gen = 0;
  private readingGen = -1;
  private idle: (() => void) | null = null;
  private readonly done: Promise<void>;

  constructor(private readonly o: ShardReaderOptions) {
    onConnectionLost(o.conn, () => {
      this.clientId = null;
      if (this.running) this.failed = true;
    });
    this.done = this.loop();
  }

  get shards(): number[] {
    return [...this.cursors.keys()];
  }

  /** Reads the shard from after `from` (the id of its stream's newest entry when it was added, or `0-0`). */
  add(shard: number, from: string): void {
    this.cursors.set(shard, from);
    this.gen++;
    this.wake();
  }

  remove(shard: number): void {
    this.cursors.delete(shard);
  }

  async close(): Promise<void> {
    this.running = false;
    this.idle?.();
    this.o.conn.disconnect();
    await this.done;
  }

  private wake(): void {
    if (this.idle) return this.idle();
    if (!this.o.control || this.readingGen === -1 || this.clientId === null) return;
    // The read in flight may not be blocking on the server yet (UNBLOCK answers 0): ask again shortly.
    const ask = (tries: number) => {
      if (!this.running || this.readingGen >= this.gen || this.clientId === null) return;
      void this.o.control!.client('UNBLOCK', this.clientId).then(
        (n) => { if (Number(n) === 0 && tries > 0) setTimeout(() => ask(tries - 1), 5); },
        (err: unknown) => this.o.onError(err),
      );
    };
    ask(20);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      if (this.cursors.size === 0) {
        await new Promise<void>((r) => (this.idle = r));
        this.idle = null;
        continue;
      }
      try {
        if (this.o.control && this.clientId === null) this.clientId = Number(await this.o.conn.client('ID'));
        const shards = this.shards;
        const keys = shards.map((s) => this.o.streamOf(s));
        const ids = shards.map((s) => this.cursors.get(s) as string);
        this.readingGen = this.gen;
        const res = (await this.o.conn.xread('COUNT', 1000, 'BLOCK', this.o.blockMs, 'STREAMS', ...keys, ...ids)) as Array<[string, BusEntry[]]> | null;
        this.readingGen = -1;
        if (this.failed) {
          this.failed = false;
          this.o.onResumed(shards);
        }
        if (!res) continue;
        for (const [key, entries] of res) {
          const shard = shards[keys.indexOf(key)] as number;
          const last = entries[entries.length - 1];
          if (!last || !this.cursors.has(shard)) continue;
          this.cursors.set(shard, last[0]);
          this.o.onEntries(shard, entries);
        }
        // Let this turn's fan-out (the hub flushes in a setImmediate) finish before asking again:
        // entries published meanwhile then come back in one reply and leave as one write per
        // stream. Asking first would return after the first of them, and fan-out under load would
        // make about twice the writes (measured: 2 events per write against 4 in one process).
        await new Promise<void>((r) => setImmediate(r));
      } catch (err) {
        this.readingGen = -1;
        if (!this.running) break;
        this.failed = true;
        this.o.onError(err);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}
