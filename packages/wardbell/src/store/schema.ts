import type { Generated } from 'kysely';

/**
 * Tables of the core's durable state, shared by SQLite (embedded) and PostgreSQL (scale-out). The
 * workflows and push modules declare their own tables (`WorkflowTables`, `PushTables`).
 */
export interface Database {
  event_streams: EventStreamsTable;
  events: EventsTable;
  sse_tickets: SseTicketsTable;
  directory_members: DirectoryMembersTable;
  directory_topics: DirectoryTopicsTable;
  notifications: NotificationsTable;
  inbox: InboxTable;
  inbox_counters: InboxCountersTable;
  idempotency_keys: IdempotencyKeysTable;
  preferences: PreferencesTable;
}

export interface DirectoryMembersTable {
  tenant_id: string;
  user_id: string;
  /** JSON array. */
  roles: string;
  /** JSON array. */
  wards: string;
  display_name: string | null;
  time_zone: string | null;
  updated_at: number;
}

export interface DirectoryTopicsTable {
  tenant_id: string;
  topic: string;
  user_id: string;
}

export interface NotificationsTable {
  id: string;
  tenant_id: string;
  type: string;
  priority: string;
  title: string;
  body: string;
  /** JSON. */
  data: string;
  /** JSON array of actions. */
  actions: string;
  /** JSON Audience. */
  audience: string;
  group_key: string | null;
  group_count: number;
  sender_id: string;
  recipient_count: number;
  /** JSON: shared state a workflow sets (e.g. an emergency call filled). */
  state: string | null;
  workflow_kind: string | null;
  workflow_id: string | null;
  /** The ward a generic lock screen may name when the audience names none (an escalation step to named staff). */
  ward: string | null;
  created_at: number;
  updated_at: number;
}

export interface InboxTable {
  tenant_id: string;
  user_id: string;
  notification_id: string;
  /** Sort key: creation time, moved forward when a grouped notification repeats. */
  sort_at: number;
  type: string;
  priority: string;
  read_at: number | null;
  acted_action: string | null;
  acted_at: number | null;
}

export interface InboxCountersTable {
  tenant_id: string;
  user_id: string;
  unread: number;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  notification_id: string;
  created_at: number;
}

export interface PreferencesTable {
  tenant_id: string;
  user_id: string;
  /** JSON Preferences. */
  prefs: string;
  updated_at: number;
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
  /** JSON text of the Personal values, if any. */
  personal: string | null;
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
