import type { Generated } from 'kysely';

/** Tables of the durable state, shared by SQLite (embedded) and PostgreSQL (scale-out). */
export interface Database {
  event_streams: EventStreamsTable;
  events: EventsTable;
  sse_tickets: SseTicketsTable;
}

export interface EventStreamsTable {
  tenant_id: string;
  epoch: string;
  head: number;
}

export interface EventsTable {
  tenant_id: string;
  offset: number;
  type: string;
  /** JSON text. */
  data: string;
  /** JSON text of the Audience. */
  audience: string;
  created_at: number;
}

export interface SseTicketsTable {
  /** SHA-256 of the ticket, hex: the ticket itself is never stored. */
  ticket_hash: string;
  /** JSON text of the Identity. */
  identity: string;
  expires_at: number;
  id: Generated<number>;
}
