import type { Db } from '../store/index.js';
import type { Clock } from '../shared/index.js';
import { formatEventId, newEpoch, type EventPosition } from './ids.js';
import type { EventLog, Retention } from './log.js';
import { checkContinuity, checkPosition, type StreamHead } from './replay.js';
import type { Audience, DomainEventType, NewEvent, Personal, StoredEvent } from './types.js';

/**
 * EventLog on the SQL store (SQLite in the embedded default). One row per tenant holds the epoch and
 * head offset; appending bumps the head and inserts the event in one transaction, so offsets have no
 * holes and the head survives trimming (a client at the head after everything expired is intact).
 */
export function createSqlEventLog(opts: { db: Db; retention: Retention; clock: Clock }): EventLog {
  const { db, retention, clock } = opts;

  const ensureStream = async (tenantId: string): Promise<StreamHead> => {
    const row = await db.selectFrom('event_streams').select(['epoch', 'head']).where('tenant_id', '=', tenantId).executeTakeFirst();
    if (row) return { epoch: row.epoch, head: Number(row.head) };
    await db
      .insertInto('event_streams')
      .values({ tenant_id: tenantId, epoch: newEpoch(), head: 0 })
      .onConflict((oc) => oc.column('tenant_id').doNothing())
      .execute();
    const created = await db.selectFrom('event_streams').select(['epoch', 'head']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    return { epoch: created.epoch, head: Number(created.head) };
  };

  const toStored = (
    tenantId: string,
    epoch: string,
    r: { offset: number; type: string; data: string; audience: string; personal: string | null; created_at: number },
  ): StoredEvent => ({
    id: formatEventId(epoch, Number(r.offset)),
    tenantId,
    offset: Number(r.offset),
    type: r.type as DomainEventType,
    data: JSON.parse(r.data) as unknown,
    audience: JSON.parse(r.audience) as Audience,
    personal: r.personal ? (JSON.parse(r.personal) as Personal) : undefined,
    createdAt: Number(r.created_at),
  });

  return {
    async append(e: NewEvent) {
      const createdAt = clock.now();
      const data = JSON.stringify(e.data ?? null);
      // No await before the transaction: transactions take the connection in call order, so
      // concurrent appends get offsets in the order they were made.
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto('event_streams')
          .values({ tenant_id: e.tenantId, epoch: newEpoch(), head: 0 })
          .onConflict((oc) => oc.column('tenant_id').doNothing())
          .execute();
        const s = await trx
          .updateTable('event_streams')
          .set((eb) => ({ head: eb('head', '+', 1) }))
          .where('tenant_id', '=', e.tenantId)
          .returning(['epoch', 'head'])
          .executeTakeFirstOrThrow();
        const offset = Number(s.head);
        await trx
          .insertInto('events')
          .values({
            tenant_id: e.tenantId,
            offset,
            type: e.type,
            data,
            audience: JSON.stringify(e.audience),
            personal: e.personal ? JSON.stringify(e.personal) : null,
            created_at: createdAt,
          })
          .execute();
        return {
          id: formatEventId(s.epoch, offset),
          tenantId: e.tenantId,
          offset,
          type: e.type,
          data: e.data ?? null,
          audience: e.audience,
          personal: e.personal,
          createdAt,
        };
      });
    },
    head: ensureStream,
    async readSince(tenantId, pos: EventPosition, limit) {
      const head = await ensureStream(tenantId);
      const bad = checkPosition(head, pos);
      if (bad) return { continuity: 'gap', reason: bad };
      if (head.head === pos.offset) return { continuity: 'intact', events: [] };
      const rows = await db
        .selectFrom('events')
        .select(['offset', 'type', 'data', 'audience', 'personal', 'created_at'])
        .where('tenant_id', '=', tenantId)
        .where('offset', '>', pos.offset)
        .where('offset', '<=', head.head)
        .orderBy('offset')
        .limit(limit + 1)
        .execute();
      const stored = rows.map((r) => toStored(tenantId, head.epoch, r));
      return checkContinuity(head, pos, stored, { limit, notBefore: clock.now() - retention.maxAgeMs });
    },
    async trim() {
      const cutoff = clock.now() - retention.maxAgeMs;
      const byAge = await db.deleteFrom('events').where('created_at', '<', cutoff).executeTakeFirst();
      let n = Number(byAge.numDeletedRows);
      const streams = await db.selectFrom('event_streams').select(['tenant_id', 'head']).execute();
      for (const s of streams) {
        const keepFrom = Number(s.head) - retention.maxEvents;
        if (keepFrom <= 0) continue;
        const r = await db.deleteFrom('events').where('tenant_id', '=', s.tenant_id).where('offset', '<=', keepFrom).executeTakeFirst();
        n += Number(r.numDeletedRows);
      }
      return n;
    },
    async close() {},
  };
}
