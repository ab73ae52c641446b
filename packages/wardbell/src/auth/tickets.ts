import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/index.js';
import type { Clock } from '../shared/index.js';
import type { Credential } from './authenticator.js';

/**
 * Single-use tickets for `GET /api/sse?ticket=...`: a browser's native EventSource cannot send an
 * Authorization header, and tokens must never travel in URLs (they end up in access logs). A ticket
 * is worth one connection, for a short time, and only its hash is stored. It carries the credential
 * that obtained it: a stream it opens ends when that token stops being accepted, and a revocation
 * of the user's sessions refuses it like the token itself.
 */
export interface TicketStore {
  issue(credential: Credential): Promise<{ ticket: string; expiresAt: number }>;
  /** Returns the credential that obtained the ticket and forgets the ticket; null if unknown, used or expired. */
  redeem(ticket: string): Promise<Credential | null>;
  /** Removes expired tickets; returns how many. */
  sweep(): Promise<number>;
}

const hash = (t: string) => createHash('sha256').update(t).digest('hex');
export const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function createSqlTicketStore(opts: { db: Db; clock: Clock; ttlMs?: number }): TicketStore {
  const { db, clock } = opts;
  const ttlMs = opts.ttlMs ?? 60_000;
  return {
    async issue(credential) {
      const ticket = randomBytes(32).toString('base64url');
      // Never outlives the token that obtained it.
      const expiresAt = Math.min(clock.now() + ttlMs, credential.validUntilMs ?? Infinity);
      await db
        .insertInto('sse_tickets')
        .values({ ticket_hash: hash(ticket), identity: JSON.stringify(credential), expires_at: expiresAt })
        .execute();
      return { ticket, expiresAt };
    },
    async redeem(ticket) {
      if (!TICKET_PATTERN.test(ticket)) return null;
      // Delete-and-return in one statement: two requests racing with one ticket cannot both win.
      const row = await db
        .deleteFrom('sse_tickets')
        .where('ticket_hash', '=', hash(ticket))
        .returning(['identity', 'expires_at'])
        .executeTakeFirst();
      if (!row || Number(row.expires_at) <= clock.now()) return null;
      const stored = JSON.parse(row.identity) as Credential | Credential['identity'];
      // A ticket stored before tickets carried their credential holds the identity alone.
      return 'identity' in stored ? stored : { identity: stored, issuedAtMs: null, validUntilMs: null };
    },
    async sweep() {
      const r = await db.deleteFrom('sse_tickets').where('expires_at', '<=', clock.now()).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
