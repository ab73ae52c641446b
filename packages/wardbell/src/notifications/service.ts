import type { Identity } from '../auth/index.js';
import type { Publisher } from '../events/index.js';
import type { Clock } from '../shared/index.js';
import type { Database, Db } from '../store/index.js';
import type { Transaction } from 'kysely';
import { Actions, type ActionHandler } from './actions.js';
import type { Directory } from './directory.js';
import { IdempotencyKeys } from './idempotency.js';
import { Inbox } from './inbox.js';
import { moveToTop, type PageQuery } from './inbox-store.js';
import type { Action, SentNotification } from './model.js';
import type { PushQueue } from './ports.js';
import { PreferenceStore } from './preference-store.js';
import type { Preferences } from './preferences.js';
import { NotificationSender, type SendInput, type SendOptions, type SendResult } from './sending.js';
import { newNotificationStats } from './stats.js';
import { WorkflowState } from './workflow-state.js';

export interface NotificationServiceOptions {
  db: Db;
  clock: Clock;
  events: Publisher;
  directory: Directory;
  /** The push channel's outbox, written in each send's transaction. */
  pushQueue: PushQueue;
  /** Window in which notifications with one group key collapse. Default 10 minutes. */
  groupWindowMs?: number;
  /** Told after recipients read or answered notifications, with when (the receipts publish their summary). */
  onRecipientsChanged?: (tenantId: string, ids: readonly string[], seenAt?: number) => void;
}

/**
 * The notification service (seed 4.1), one facade over its parts: sending (`sending.ts`), the
 * inbox and read state (`inbox.ts`), action buttons (`actions.ts`), workflow state on a
 * notification (`workflow-state.ts`), preferences (`preference-store.ts`) and idempotency keys.
 */
export class NotificationService {
  readonly directory: Directory;
  readonly stats = newNotificationStats();
  private readonly sender: NotificationSender;
  private readonly inbox: Inbox;
  private readonly actions: Actions;
  private readonly workflowState: WorkflowState;
  private readonly preferences: PreferenceStore;
  private readonly idempotency: IdempotencyKeys;
  private readonly now: () => number;
  private readonly db: Db;
  private readonly changed: (tenantId: string, ids: readonly string[], seenAt?: number) => void;

  constructor(opts: NotificationServiceOptions) {
    this.changed = opts.onRecipientsChanged ?? (() => {});
    const { db, events } = opts;
    this.db = db;
    const now = () => opts.clock.now();
    this.now = now;
    this.directory = opts.directory;
    this.preferences = new PreferenceStore(db, now);
    this.idempotency = new IdempotencyKeys(db);
    this.sender = new NotificationSender({
      db,
      events,
      directory: opts.directory,
      preferences: this.preferences,
      idempotency: this.idempotency,
      pushQueue: opts.pushQueue,
      now,
      stats: this.stats,
      groupWindowMs: opts.groupWindowMs ?? 10 * 60_000,
    });
    this.inbox = new Inbox(db, events, now);
    this.actions = new Actions(db, events, now, this.stats);
    this.workflowState = new WorkflowState(db, events, now);
  }

  send(input: SendInput, opts?: SendOptions): Promise<SendResult> {
    return this.sender.send(input, opts);
  }

  list(tenantId: string, userId: string, q: PageQuery) {
    return this.inbox.list(tenantId, userId, q);
  }

  get(tenantId: string, userId: string, id: string) {
    return this.inbox.get(tenantId, userId, id);
  }

  async markRead(tenantId: string, userId: string, ids: readonly string[] | 'all') {
    const r = await this.inbox.markRead(tenantId, userId, ids);
    // "All read" is not followed notification by notification: the senders' live views catch up
    // with the next change, and GET .../receipts is always current.
    if (ids !== 'all') this.changed(tenantId, ids, this.now());
    return r;
  }

  async markOneUnread(tenantId: string, userId: string, id: string) {
    const r = await this.inbox.markOneUnread(tenantId, userId, id);
    this.changed(tenantId, [id]);
    return r;
  }

  async markOneRead(tenantId: string, userId: string, id: string) {
    const r = await this.inbox.markOneRead(tenantId, userId, id);
    this.changed(tenantId, [id], this.now());
    return r;
  }

  remove(tenantId: string, userId: string, ids: readonly string[] | 'all') {
    return this.inbox.remove(tenantId, userId, ids);
  }

  removeOne(tenantId: string, userId: string, id: string) {
    return this.inbox.removeOne(tenantId, userId, id);
  }

  /** Workflows register what their action buttons do, by workflow kind. */
  onAction(kind: string, handler: ActionHandler): void {
    this.actions.onAction(kind, handler);
  }

  async pressAction(identity: Identity, id: string, actionId: string) {
    const r = await this.actions.press(identity, id, actionId);
    this.changed(identity.tenantId, [id], this.now());
    return r;
  }

  /** In the caller's transaction: the notification moves to the top of these users' inboxes (a repeat). */
  resurface(trx: Transaction<Database>, tenantId: string, id: string, userIds: readonly string[]): Promise<void> {
    return moveToTop(trx, tenantId, id, userIds, this.now());
  }

  /** Its recipients who have neither read nor answered it (in the caller's transaction, or on the pool), sorted. */
  async unanswered(exec: Transaction<Database> | null, tenantId: string, id: string): Promise<string[]> {
    const rows = await (exec ?? this.db)
      .selectFrom('inbox')
      .select('user_id')
      .where('tenant_id', '=', tenantId)
      .where('notification_id', '=', id)
      .where('read_at', 'is', null)
      .where('acted_at', 'is', null)
      .orderBy('user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Sets a notification's shared state and tells every recipient's open page. */
  updateState(tenantId: string, id: string, state: unknown, patch: { actions?: Action[]; body?: string } = {}): Promise<SentNotification> {
    return this.workflowState.update(tenantId, id, state, patch);
  }

  getPreferences(tenantId: string, userId: string): Promise<Preferences> {
    return this.preferences.get(tenantId, userId);
  }

  putPreferences(tenantId: string, userId: string, prefs: Preferences): Promise<Preferences> {
    return this.preferences.put(tenantId, userId, prefs);
  }

  /** Removes idempotency keys older than 24 h. */
  sweep(): Promise<number> {
    return this.idempotency.sweep(this.now());
  }
}
