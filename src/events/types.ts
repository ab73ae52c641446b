/**
 * Realtime event types. The first seven are the seed's `SSEEventType` (section 1.2); the rest are
 * what the protocol needs: `reset` tells a client its position cannot be continued (refetch state).
 */
export const DOMAIN_EVENT_TYPES = [
  'schedule.updated',
  'schedule.published',
  'swap.requested',
  'swap.approved',
  'swap.rejected',
  'notification',
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export type ProtocolEventType = 'ping' | 'reset';
export type SSEEventType = DomainEventType | ProtocolEventType;

export function isDomainEventType(t: string): t is DomainEventType {
  return (DOMAIN_EVENT_TYPES as readonly string[]).includes(t);
}

/** Who an event is for, inside one tenant. */
export type Audience =
  | { kind: 'users'; users: string[] }
  | { kind: 'topic'; topic: string }
  | { kind: 'tenant' };

/** An event as kept in the log and carried on the bus. */
export interface StoredEvent {
  /** `<epoch>-<offset>`: ASCII, increasing within a tenant; the SSE `id:`. */
  id: string;
  tenantId: string;
  offset: number;
  type: DomainEventType;
  data: unknown;
  audience: Audience;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface NewEvent {
  tenantId: string;
  type: DomainEventType;
  data: unknown;
  audience: Audience;
}

/** The part of an identity that decides what a connection may receive. */
export interface Viewer {
  userId: string;
  topics: ReadonlySet<string>;
}

/** Whether a connection with this viewer receives an event with this audience (pure; used by replay). */
export function isVisibleTo(audience: Audience, viewer: Viewer): boolean {
  switch (audience.kind) {
    case 'tenant':
      return true;
    case 'users':
      return audience.users.includes(viewer.userId);
    case 'topic':
      return audience.topic === `user:${viewer.userId}` || viewer.topics.has(audience.topic);
  }
}
