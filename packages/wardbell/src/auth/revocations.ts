import type { Kysely } from 'kysely';
import type { Database, Db } from '../store/index.js';
import type { Credential } from './authenticator.js';

/** Why a user's access ended: the words a stream's `access-ended` event carries. */
export type AccessEndReason = 'token_expired' | 'sessions_revoked' | 'removed_from_directory';

export interface SessionRevocationsTable {
  tenant_id: string;
  user_id: string;
  /** Tokens issued before this instant (ms) are refused. */
  revoked_before: number;
  reason: string;
  updated_at: number;
}
// A type alias, not an interface: `withTables` needs an indexable record type.
type Tables = { session_revocations: SessionRevocationsTable };

export interface Revocation {
  tenantId: string;
  userId: string;
  revokedBefore: number;
  reason: Exclude<AccessEndReason, 'token_expired'>;
}

/**
 * How far back a poll looks past the newest row it has seen: rows written by other processes whose
 * clocks run a little behind, or whose transactions committed late, are still found.
 */
const POLL_OVERLAP_MS = 10_000;

const keyOf = (tenantId: string, userId: string) => `${tenantId}\u0000${userId}`;

/**
 * Session revocations (`session_revocations`, this module's table): revoking a user's sessions (or
 * removing them from the directory) refuses every token of theirs issued before that moment, and
 * tickets those tokens obtained. Each process keeps the rows in memory, so the check on every
 * request is a map lookup, and polls for new rows (`poll`, every second): a revocation written by
 * any process reaches all of them within about a second, and `onRevoked` closes the user's streams.
 */
export class SessionRevocations {
  private readonly db: Kysely<Database & Tables>;
  private readonly known = new Map<string, number>();
  private cursor = 0;

  constructor(db: Db, private readonly now: () => number) {
    this.db = db.withTables<Tables>();
  }

  /** Records a revocation of these users' sessions as of now; returns it (also applied here at once). */
  async revoke(tenantId: string, userIds: readonly string[], reason: Revocation['reason']): Promise<Revocation[]> {
    const now = this.now();
    const unique = [...new Set(userIds)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = unique.slice(i, i + 500).map((u) => ({ tenant_id: tenantId, user_id: u, revoked_before: now, reason, updated_at: now }));
      await this.db
        .insertInto('session_revocations')
        .values(rows)
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet((eb) => ({ revoked_before: eb.ref('excluded.revoked_before'), reason: eb.ref('excluded.reason'), updated_at: eb.ref('excluded.updated_at') })))
        .execute();
    }
    const out = unique.map((userId) => ({ tenantId, userId, revokedBefore: now, reason }));
    for (const r of out) this.apply(r);
    return out;
  }

  /** Whether this credential was issued before a revocation of its user's sessions. */
  isRevoked(credential: Credential): boolean {
    const before = this.known.get(keyOf(credential.identity.tenantId, credential.identity.userId));
    if (before === undefined) return false;
    // Gateway headers carry no issue time: the gateway decides who it lets through.
    if (credential.issuedAtMs === null) return credential.validUntilMs !== null;
    return credential.issuedAtMs <= before; // at or before: a token of the same instant is refused too
  }

  /** Reads the rows written since the last poll (all of them the first time); returns those that are new here. */
  async poll(): Promise<Revocation[]> {
    const since = Math.max(0, this.cursor - POLL_OVERLAP_MS);
    const rows = await this.db.selectFrom('session_revocations').selectAll().where('updated_at', '>=', since).execute();
    const fresh: Revocation[] = [];
    for (const row of rows) {
      this.cursor = Math.max(this.cursor, Number(row.updated_at));
      const r: Revocation = { tenantId: row.tenant_id, userId: row.user_id, revokedBefore: Number(row.revoked_before), reason: row.reason as Revocation['reason'] };
      if (this.apply(r)) fresh.push(r);
    }
    return fresh;
  }

  /** Takes a revocation into the map; true when it moved the user's boundary forward. */
  private apply(r: Revocation): boolean {
    const k = keyOf(r.tenantId, r.userId);
    const before = this.known.get(k);
    if (before !== undefined && before >= r.revokedBefore) return false;
    this.known.set(k, r.revokedBefore);
    return true;
  }
}
