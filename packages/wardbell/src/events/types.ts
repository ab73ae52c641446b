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
  // Beyond the seed: a notification's shared state changed (an emergency call filled, a swap
  // decided), a user's inbox changed on another device (read, deleted), emergency call progress.
  'notification.updated',
  'inbox.updated',
  'emergency.called',
  'emergency.updated',
  // How far a notification got (reached, seen, acted), to its sender and role:service.
  'receipts.updated',
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

/** Audience constructors (pure): `publisher.publish(tenant, type, data, toUser(id))`. */
export const toUser = (userId: string): Extract<Audience, { kind: 'users' }> => ({ kind: 'users', users: [userId] });
/** The given users, each once (in first-seen order). */
export const toUsers = (userIds: Iterable<string>): Extract<Audience, { kind: 'users' }> => ({ kind: 'users', users: [...new Set(userIds)] });
/** Connections subscribed to the topic (and, for `user:<id>`, that user's own). */
export const toTopic = (topic: string): Extract<Audience, { kind: 'topic' }> => ({ kind: 'topic', topic });
/** Every connection of the tenant. */
export const toTenant = (): Extract<Audience, { kind: 'tenant' }> => ({ kind: 'tenant' });

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
  /** Per-recipient values merged into `data` at delivery (e.g. each user's unread count). */
  personal?: Personal | undefined;
  /**
   * The append's own random mark, where the log gives one (Redis): two appends under one id (a
   * failover lost the first) have different stamps. Never sent to clients.
   */
  stamp?: string;
}

/**
 * A field whose value differs per recipient. The shared part of the event is encoded once; each
 * recipient's frame appends its own `"field":value` (users without a value get the shared frame).
 */
export interface Personal {
  field: string;
  values: Record<string, unknown>;
}

export interface NewEvent {
  tenantId: string;
  type: DomainEventType;
  data: unknown;
  audience: Audience;
  personal?: Personal | undefined;
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
