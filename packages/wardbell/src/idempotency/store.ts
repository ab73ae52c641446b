import type { Kysely } from 'kysely';
import type { Database, Db } from '../store/index.js';

/** How long a key holds: a retry within it gets the first answer; after it the key is free again. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;
/** How long a request in flight holds its key before another may take it over (its process died). */
export const IN_FLIGHT_LEASE_MS = 60_000;

export interface RequestIdempotencyTable {
  tenant_id: string;
  key: string;
  fingerprint: string;
  /** `pending` while the first request runs, `done` once its answer is stored. */
  state: string;
  status: number | null;
  body: string | null;
  lease_until: number;
  created_at: number;
}

// A type alias, not an interface: `withTables` needs an indexable record type.
type Tables = { request_idempotency: RequestIdempotencyTable };

/** The answer a request got, stored to be given again. */
export interface StoredAnswer {
  status: number;
  body: string;
}

/** What `begin` found for a key. */
export type Begin =
  | { kind: 'new' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'reused' }
  | { kind: 'in_flight' };

/**
 * The request records behind `Idempotency-Key` (`request_idempotency`, this module's one table).
 * A key is taken by inserting its primary key, so of two racing requests exactly one begins, in
 * one process or many; the other finds the first in flight (409), done (its answer again) or, with
 * another body, a reuse (422).
 */
export class RequestRecords {
  private readonly db: Kysely<Database & Tables>;

  constructor(db: Db, private readonly now: () => number) {
    this.db = db.withTables<Tables>();
  }

  /** Takes the key for a request, or says why it cannot. */
  async begin(tenantId: string, key: string, fingerprint: string): Promise<Begin> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.now();
      const taken = await this.db
        .insertInto('request_idempotency')
        .values({ tenant_id: tenantId, key, fingerprint, state: 'pending', status: null, body: null, lease_until: now + IN_FLIGHT_LEASE_MS, created_at: now })
        .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(taken.numInsertedOrUpdatedRows ?? 0n) > 0) return { kind: 'new' };
      const row = await this.db.selectFrom('request_idempotency').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
      if (!row) continue; // released or swept meanwhile: try again
      if (Number(row.created_at) < now - IDEMPOTENCY_WINDOW_MS) {
        await this.db.deleteFrom('request_idempotency').where('tenant_id', '=', tenantId).where('key', '=', key).where('created_at', '=', row.created_at).execute();
        continue;
      }
      if (row.fingerprint !== fingerprint) return { kind: 'reused' };
      if (row.state === 'done' && row.status !== null && row.body !== null) return { kind: 'replay', answer: { status: Number(row.status), body: row.body } };
      if (Number(row.lease_until) > now) return { kind: 'in_flight' };
      // The request that held it stopped without an answer (its process died): take it over, once.
      const over = await this.db
        .updateTable('request_idempotency')
        .set({ lease_until: now + IN_FLIGHT_LEASE_MS })
        .where('tenant_id', '=', tenantId)
        .where('key', '=', key)
        .where('state', '=', 'pending')
        .where('lease_until', '=', row.lease_until)
        .executeTakeFirst();
      return Number(over.numUpdatedRows) > 0 ? { kind: 'new' } : { kind: 'in_flight' };
    }
    return { kind: 'in_flight' };
  }

  /** Stores the answer of a request that succeeded. */
  async complete(tenantId: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.db
      .updateTable('request_idempotency')
      .set({ state: 'done', status: answer.status, body: answer.body })
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .execute();
  }

  /** Frees the key of a request that failed: nothing was done, so a retry may run. */
  async release(tenantId: string, key: string): Promise<void> {
    await this.db.deleteFrom('request_idempotency').where('tenant_id', '=', tenantId).where('key', '=', key).where('state', '=', 'pending').execute();
  }

  /**
   * Frees every key still in flight. Only for a process that is the store's one user (the embedded
   * deployment at start): whatever was in flight died with the previous process.
   */
  async releaseAllInFlight(): Promise<number> {
    const r = await this.db.deleteFrom('request_idempotency').where('state', '=', 'pending').executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Removes records older than the window. */
  async sweep(): Promise<number> {
    const r = await this.db.deleteFrom('request_idempotency').where('created_at', '<', this.now() - IDEMPOTENCY_WINDOW_MS).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
