import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/index.js';
import type { Clock } from '../shared/index.js';
import type { Identity } from './identity.js';

/**
 * Single-use tickets for `GET /api/sse?ticket=...`: a browser's native EventSource cannot send an
 * Authorization header, and tokens must never travel in URLs (they end up in access logs). A ticket
 * is worth one connection, for a short time, and only its hash is stored.
 */
export interface TicketStore {
  issue(identity: Identity): Promise<{ ticket: string; expiresAt: number }>;
  /** Returns the identity and forgets the ticket; null if unknown, used or expired. */
  redeem(ticket: string): Promise<Identity | null>;
  /** Removes expired tickets; returns how many. */
  sweep(): Promise<number>;
}

const hash = (t: string) => createHash('sha256').update(t).digest('hex');
export const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function createSqlTicketStore(opts: { db: Db; clock: Clock; ttlMs?: number }): TicketStore {
  const { db, clock } = opts;
  const ttlMs = opts.ttlMs ?? 60_000;
  return {
    async issue(identity) {
      const ticket = randomBytes(32).toString('base64url');
      const expiresAt = clock.now() + ttlMs;
      await db
        .insertInto('sse_tickets')
        .values({ ticket_hash: hash(ticket), identity: JSON.stringify(identity), expires_at: expiresAt })
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
      return JSON.parse(row.identity) as Identity;
    },
    async sweep() {
      const r = await db.deleteFrom('sse_tickets').where('expires_at', '<=', clock.now()).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
