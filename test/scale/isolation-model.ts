/**
 * The pure model behind `isolation.test.ts`: a random multi-tenant scenario made from a seed, and,
 * computed from the scenario alone (never from the service), who must receive what: each stream's
 * events in order, each inbox, each push. Written from the API's documented rules, not from `src/`,
 * so that a service that delivers to the wrong tenant or user disagrees with it.
 *
 * Rules modelled (docs/ARCHITECTURE.md, the API description):
 * - a stream sees an event of its own tenant when the audience is the tenant, lists its user, is the
 *   topic `user:<its user>`, or is a topic the stream selected (by default every granted topic;
 *   `?topics=` narrows, `user:<self>` always stays);
 * - a notification reaches the tenant directory's members of its audience (users must all be
 *   members, else 400 `unknown_recipients`), minus those whose preferences turn its type's inbox off
 *   (not for urgent); the `notification` event goes to the audience when every member got an inbox
 *   row, else to exactly the users who did, with each one's unread count;
 * - a push goes to each recipient whose channel plan has push (default: not for `low`; urgent
 *   always) on each of their subscriptions that wants it (a topic audience only when the
 *   subscription chose that topic; urgent always); a recipient who read the notification may be
 *   skipped;
 * - an `Idempotency-Key` belongs to one tenant: the same request again (caller and body) gets the
 *   first answer and sends nothing, another request with the key is a 422;
 * - each tenant's log numbers its events 1, 2, 3 ...: the scenario runs each tenant's steps one
 *   after the other (tenants in parallel), so every event's offset is known in advance.
 */

export type Via = 'a' | 'b';
export type To = { users: string[] } | { topic: string } | { tenant: true };
export type Audience = { kind: 'users'; users: string[] } | { kind: 'topic'; topic: string } | { kind: 'tenant' };

export interface Person {
  userId: string;
  roles: string[];
  wards: string[];
}

export interface Member extends Person {
  /** Preferences turn `schedule_updated` off on both channels. */
  muted: boolean;
}

/** The scheduling application of every tenant: role `service`, not staff (not in the directory). */
export const APP: Person = { userId: 'app', roles: ['service'], wards: [] };
export const MUTED_TYPE = 'schedule_updated';

export const USER_POOL = ['kim', 'lee', 'park', 'choi', 'jung', 'kang', 'yoon', 'han', 'lim', 'seo'];
export const WARD_POOL = ['1', '2', '3', '4'];
export const ROLE_POOL = ['nurse', 'doctor', 'manager'];
/** Idempotency keys, deliberately shared by every tenant: the same key in another tenant is another request. */
export const KEY_POOL = ['k1', 'k2', 'k3'];
const EVENT_TYPES = ['schedule.updated', 'schedule.published', 'swap.requested', 'emergency.called'];
const NOTIFICATION_TYPES = ['general', 'schedule_updated', 'shift_reminder'];
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;

/** A notification of some tenant, by its index in that tenant's sends (0, 1, 2 ...). */
export interface NotifRef {
  tenant: string;
  idx: number;
}

export type Lei =
  | { kind: 'own'; offset: number }
  | { kind: 'foreign'; tenant: string; offset: number }
  | { kind: 'future'; offset: number }
  | { kind: 'garbage'; raw: string };

export type StreamExpect =
  | { mode: 'fresh'; head: number }
  | { mode: 'replay'; from: number; /** the id the replay ends on (null: nothing to replay) */ waitFor: number | null }
  | { mode: 'reset'; reason: string; head: number };

export interface StreamSpec {
  name: string;
  tenant: string;
  who: Person;
  via: Via;
  auth: 'bearer' | 'ticket' | 'spoofed-headers';
  /** Where the ticket is asked for (the other process than `via`, or the same). */
  ticketVia: Via;
  requested?: string[] | undefined;
  /** The topics the stream hears (what the model's visibility uses). */
  topics: string[];
  lastEventId?: Lei | undefined;
  expect: StreamExpect;
}

export interface SubSpec {
  name: string;
  tenant: string;
  userId: string;
  via: Via;
  requested?: string[] | undefined;
  /** The topics the service must store: the requested ones plus `user:<self>`, or every granted one. */
  topics: string[];
}

export interface ModelNotification {
  idx: number;
  mark: string;
  type: string;
  priority: (typeof PRIORITIES)[number];
  actions: string[];
  senderId: string;
  audience: Audience;
  members: string[];
  inboxUsers: string[];
  pushUsers: string[];
}

export interface ModelEvent {
  offset: number;
  type: string;
  audience: Audience;
  label: string;
  /** Per-recipient unread counts spliced into a `notification` event. */
  personal?: Record<string, number>;
}

export interface InboxRow {
  read: boolean;
  acted: string | null;
}

export interface ListExpect {
  unread: number;
  items: Array<{ mark: string; read: boolean; acted: string | null }>;
}

export type Step =
  | { kind: 'stream'; stream: StreamSpec }
  | { kind: 'publish'; via: Via; who: Person; type: string; to: To; mark: string; expect: { status: 202; offset: number } | { status: 403 } }
  | {
      kind: 'send';
      via: Via;
      who: Person;
      body: { type: string; priority: string; title: string; data: { mark: string }; to: To; actions?: Array<{ id: string; label: string }>; idempotencyKey?: string };
      /** `replayed`: a retry of the same request with its key, answered with the first answer again. */
      expect: { status: 201; notif: number; recipients: number; replayed: boolean } | { status: 400 | 403 | 422; code: string };
    }
  | { kind: 'list'; via: Via; who: Person; expect: ListExpect }
  | { kind: 'get'; via: Via; who: Person; ref: NotifRef; expect: { status: 200 | 404 } }
  | { kind: 'read'; via: Via; who: Person; form: 'one' | 'ids' | 'all'; refs: NotifRef[]; expect: { status: 200 | 404; updated?: number; unread?: number } }
  | { kind: 'delete'; via: Via; who: Person; form: 'one' | 'ids'; refs: NotifRef[]; expect: { status: 200 | 404; deleted?: number; unread?: number } }
  | { kind: 'press'; via: Via; who: Person; ref: NotifRef; action: string; expect: { status: 200 | 404 | 409 } }
  | { kind: 'attack'; via: Via; what: Attack; who: Person; foreign: string; expect: { status: number } };

/** Requests that must be refused and change nothing. */
export type Attack =
  | 'wrong-secret-publish'
  | 'alg-none-publish'
  | 'expired-inbox'
  | 'tampered-tenant-inbox'
  | 'tampered-tenant-stream'
  | 'publish-names-tenant'
  | 'send-names-tenant'
  | 'send-foreign-users'
  | 'stream-foreign-ward'
  | 'push-foreign-topic'
  | 'push-claims-tenant'
  | 'push-unsubscribe-foreign'
  | 'ticket-reuse';

export interface TenantScenario {
  id: string;
  members: Member[];
  subs: SubSpec[];
  /** Steps by phase: 1 initial streams, 2 first send, 3 the mix, 4 attacks, 5 the closing event. */
  phases: Step[][];
  /** After the scenario: the tenant's log, its notifications, inboxes, and who read what. */
  events: ModelEvent[];
  notifications: ModelNotification[];
  inbox: Map<string, Map<number, InboxRow>>;
  everRead: Set<string>;
  streams: StreamSpec[];
}

export interface Scenario {
  seed: number;
  tenants: TenantScenario[];
}

/** mulberry32: small, fast, good enough to pick a scenario; the same seed gives the same scenario. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from nothing');
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  /** Between min and max distinct elements, in their original order. */
  subset<T>(xs: readonly T[], min: number, max: number): T[] {
    const n = Math.min(xs.length, this.int(min, max));
    const idx = new Set<number>();
    while (idx.size < n) idx.add(Math.floor(this.next() * xs.length));
    return [...idx].sort((a, b) => a - b).map((i) => xs[i] as T);
  }
  weighted<T extends string>(w: Record<T, number>): T {
    const entries = Object.entries(w) as Array<[T, number]>;
    let r = this.next() * entries.reduce((s, [, x]) => s + x, 0);
    for (const [k, x] of entries) if ((r -= x) < 0) return k;
    return (entries[entries.length - 1] as [T, number])[0];
  }
}

// ---- the rules, written independently of src/ ----

export const grantedTopics = (p: Person) => [`user:${p.userId}`, ...p.wards.map((w) => `ward:${w}`), ...p.roles.map((r) => `role:${r}`)];

/** The topics a stream or a subscription ends up with; null when a requested topic is not granted. */
export function selectedTopics(p: Person, requested: string[] | undefined): string[] | null {
  if (!requested || requested.length === 0) return grantedTopics(p);
  const granted = new Set(grantedTopics(p));
  if (requested.some((t) => !granted.has(t))) return null;
  return [...new Set([...requested, `user:${p.userId}`])];
}

export function audienceOf(to: To): Audience {
  if ('users' in to) return { kind: 'users', users: [...new Set(to.users)].sort() };
  if ('topic' in to) return { kind: 'topic', topic: to.topic };
  return { kind: 'tenant' };
}

export function sees(a: Audience, userId: string, topics: readonly string[]): boolean {
  if (a.kind === 'tenant') return true;
  if (a.kind === 'users') return a.users.includes(userId);
  return a.topic === `user:${userId}` || topics.includes(a.topic);
}

/** The directory members an audience reaches. */
export function membersOf(members: readonly Member[], a: Audience): string[] {
  const ids = members.map((m) => m.userId);
  if (a.kind === 'tenant') return [...ids].sort();
  if (a.kind === 'users') return a.users.filter((u) => ids.includes(u));
  if (a.topic.startsWith('user:')) return ids.includes(a.topic.slice(5)) ? [a.topic.slice(5)] : [];
  const [kind, id] = [a.topic.slice(0, a.topic.indexOf(':')), a.topic.slice(a.topic.indexOf(':') + 1)];
  return members.filter((m) => (kind === 'ward' ? m.wards.includes(id) : m.roles.includes(id))).map((m) => m.userId).sort();
}

export function plan(m: Member, type: string, priority: string): { inbox: boolean; push: boolean } {
  if (priority === 'urgent') return { inbox: true, push: true };
  if (m.muted && type === MUTED_TYPE) return { inbox: false, push: false };
  return { inbox: true, push: priority !== 'low' };
}

export function subscriptionWants(topics: readonly string[], a: Audience, priority: string): boolean {
  if (priority === 'urgent') return true;
  return a.kind === 'topic' ? topics.includes(a.topic) : true;
}

export const markOf = (r: NotifRef) => `${r.tenant}-n${r.idx}`;
export const eventKey = (offset: number, type: string, label: string) => `${offset}|${type}|${label}`;

/** The events a stream must receive, in order, as keys `offset|type|label` (a `reset` first when it starts with one). */
export function expectedStream(t: TenantScenario, s: StreamSpec): string[] {
  const out: string[] = [];
  let after: number;
  if (s.expect.mode === 'reset') {
    out.push(eventKey(s.expect.head, 'reset', `reset:${s.expect.reason}`));
    after = s.expect.head;
  } else after = s.expect.mode === 'fresh' ? s.expect.head : s.expect.from;
  for (const e of t.events) {
    if (e.offset <= after || !sees(e.audience, s.who.userId, s.topics)) continue;
    out.push(eventKey(e.offset, e.type, e.personal ? `${e.label}#${e.personal[s.who.userId] ?? '-'}` : e.label));
  }
  return out;
}

export interface ExpectedPush {
  sub: string;
  mark: string;
  /** False when the recipient read the notification, which may stop its push. */
  required: boolean;
}

export function expectedPushes(t: TenantScenario): ExpectedPush[] {
  const out: ExpectedPush[] = [];
  for (const n of t.notifications) {
    for (const u of n.pushUsers) {
      for (const s of t.subs.filter((x) => x.userId === u)) {
        if (subscriptionWants(s.topics, n.audience, n.priority)) out.push({ sub: s.name, mark: n.mark, required: !t.everRead.has(`${u}\0${n.idx}`) });
      }
    }
  }
  return out;
}

// ---- the generator: picks each step and applies it to the model ----

class TenantModel {
  readonly events: ModelEvent[] = [];
  readonly notifications: ModelNotification[] = [];
  readonly inbox = new Map<string, Map<number, InboxRow>>();
  /** Idempotency keys used by a successful send: its notification and its request. */
  readonly keys = new Map<string, { idx: number; step: Extract<Step, { kind: 'send' }> }>();
  readonly everRead = new Set<string>();
  readonly streams: StreamSpec[] = [];
  readonly subs: SubSpec[] = [];
  publishes = 0;
  streamsMade = 0;
  constructor(readonly id: string, readonly members: Member[]) {}

  get offset(): number {
    return this.events.length;
  }
  append(type: string, audience: Audience, label: string, personal?: Record<string, number>): number {
    const offset = this.events.length + 1;
    this.events.push({ offset, type, audience, label, ...(personal ? { personal } : {}) });
    return offset;
  }
  rowsOf(u: string): Map<number, InboxRow> {
    let m = this.inbox.get(u);
    if (!m) this.inbox.set(u, (m = new Map()));
    return m;
  }
  unread(u: string): number {
    return [...this.rowsOf(u).values()].filter((r) => !r.read).length;
  }
  own(ref: NotifRef, u: string): InboxRow | undefined {
    return ref.tenant === this.id ? this.rowsOf(u).get(ref.idx) : undefined;
  }
  refsLabel(refs: NotifRef[] | 'all'): string {
    return refs === 'all' ? 'all' : refs.map(markOf).join(',');
  }
  member(u: string): Member | undefined {
    return this.members.find((m) => m.userId === u);
  }
}

interface World {
  rng: Rng;
  tenants: TenantModel[];
}

function randomTo(rng: Rng, t: TenantModel, forEvent: boolean): To {
  const kind = rng.weighted({ users: 3, user: 2, ward: 3, role: 2, tenant: 2 });
  const ids = t.members.map((m) => m.userId);
  if (kind === 'users') {
    // Events may name anyone (another tenant's staff, nobody at all); sends only members.
    const pool = forEvent ? [...new Set([...ids, ...USER_POOL.slice(0, 6), 'nobody'])] : ids;
    return { users: rng.subset(pool, 1, 3) };
  }
  if (kind === 'user') return { topic: `user:${rng.pick(forEvent || rng.chance(0.2) ? USER_POOL : ids)}` };
  if (kind === 'ward') return { topic: `ward:${rng.pick([...WARD_POOL, '9'])}` };
  if (kind === 'role') return { topic: `role:${rng.pick(ROLE_POOL)}` };
  return { tenant: true };
}

function streamStep(w: World, t: TenantModel, phase: number): Step {
  const { rng } = w;
  const who: Person = rng.chance(0.15) ? APP : rng.pick(t.members);
  const granted = grantedTopics(who);
  const requested = rng.chance(0.35) ? rng.subset(granted, 1, 2) : undefined;
  const auth = rng.weighted({ bearer: 5, ticket: 3, 'spoofed-headers': 1 });
  const via: Via = rng.pick(['a', 'b'] as const);
  let lastEventId: Lei | undefined;
  let expect: StreamExpect = { mode: 'fresh', head: t.offset };
  if (phase === 3) {
    const kind = rng.weighted({ fresh: 1, own: 4, foreign: 2, future: 1, garbage: 1 });
    if (kind === 'own') {
      const from = rng.int(0, t.offset);
      lastEventId = { kind: 'own', offset: from };
      expect = { mode: 'replay', from, waitFor: from < t.offset ? t.offset : null };
    } else if (kind === 'foreign') {
      const other = rng.pick(w.tenants.filter((x) => x !== t));
      lastEventId = { kind: 'foreign', tenant: other.id, offset: rng.int(0, Math.max(1, other.offset)) };
      expect = { mode: 'reset', reason: 'epoch-mismatch', head: t.offset };
    } else if (kind === 'future') {
      lastEventId = { kind: 'future', offset: t.offset + rng.int(1, 5) };
      expect = { mode: 'reset', reason: 'future-offset', head: t.offset };
    } else if (kind === 'garbage') {
      lastEventId = { kind: 'garbage', raw: rng.pick(['zzz', 'h0-1', '-000000000001', 'abc-x']) };
      expect = { mode: 'reset', reason: 'unknown-id', head: t.offset };
    }
  }
  const stream: StreamSpec = {
    name: `${t.id}-s${t.streamsMade++}`,
    tenant: t.id,
    who,
    via,
    auth,
    ticketVia: rng.pick(['a', 'b'] as const),
    requested,
    topics: selectedTopics(who, requested) as string[],
    lastEventId,
    expect,
  };
  t.streams.push(stream);
  return { kind: 'stream', stream };
}

function publishStep(w: World, t: TenantModel): Step {
  const { rng } = w;
  const type = rng.pick(EVENT_TYPES);
  const to = randomTo(rng, t, true);
  const mark = `${t.id}-e${t.publishes++}`;
  if (rng.chance(0.1)) return { kind: 'publish', via: rng.pick(['a', 'b'] as const), who: rng.pick(t.members), type, to, mark, expect: { status: 403 } };
  const offset = t.append(type, audienceOf(to), mark);
  return { kind: 'publish', via: rng.pick(['a', 'b'] as const), who: APP, type, to, mark, expect: { status: 202, offset } };
}

function sendStep(w: World, t: TenantModel, first: boolean): Step {
  const { rng } = w;
  const via: Via = rng.pick(['a', 'b'] as const);
  const idx = t.notifications.length;
  const mark = `${t.id}-n${idx}`;
  const managers = t.members.filter((m) => m.roles.includes('manager') && m.wards.length);
  let who: Person = APP;
  let to: To = first ? { tenant: true } : randomTo(rng, t, false);
  const variant = first ? 'app' : rng.weighted({ app: 8, manager: managers.length ? 2 : 0, 'manager-elsewhere': managers.length ? 1 : 0, staff: 1, 'foreign-user': 1 });
  if (variant === 'manager' || variant === 'manager-elsewhere') {
    const m = rng.pick(managers);
    who = m;
    const elsewhere = WARD_POOL.filter((x) => !m.wards.includes(x));
    to = variant === 'manager' ? { topic: `ward:${rng.pick(m.wards)}` } : rng.chance(0.5) && elsewhere.length ? { topic: `ward:${rng.pick(elsewhere)}` } : { tenant: true };
  } else if (variant === 'staff') {
    who = rng.pick(t.members.filter((m) => !m.roles.includes('manager')).concat(t.members.slice(0, 1)));
    if (who.roles.includes('manager')) to = { tenant: true };
  } else if (variant === 'foreign-user') {
    const strangers = USER_POOL.filter((u) => !t.member(u));
    to = { users: [...rng.subset(t.members.map((m) => m.userId), 0, 1), rng.pick(strangers.length ? strangers : ['nobody'])] };
  }
  const type = first ? 'general' : rng.pick(NOTIFICATION_TYPES);
  const priority = first ? 'medium' : rng.pick(PRIORITIES);
  const actions = first || rng.chance(0.5) ? [{ id: 'ack', label: 'Got it' }] : undefined;
  const key = !first && rng.chance(0.3) ? rng.pick(KEY_POOL) : undefined;
  const body = { type, priority, title: `Notice ${mark}`, data: { mark }, to, ...(actions ? { actions } : {}), ...(key ? { idempotencyKey: key } : {}) };
  const step = (expect: Extract<Step, { kind: 'send' }>['expect']): Extract<Step, { kind: 'send' }> => ({ kind: 'send', via, who, body, expect });

  // Keys are per tenant: the same key in another tenant is a new request. In this tenant, the same
  // request again (same caller and body) is answered with the first answer; another is refused.
  const used = key !== undefined ? t.keys.get(key) : undefined;
  if (used) {
    if (rng.chance(0.5)) {
      const prior = t.notifications[used.idx] as ModelNotification;
      return { ...used.step, via, expect: { status: 201, notif: used.idx, recipients: prior.inboxUsers.length, replayed: true } };
    }
    return step({ status: 422, code: 'idempotency_key_reused' });
  }
  const publisher = who.roles.includes('service') || who.roles.includes('admin');
  const managerOk = who.roles.includes('manager') && 'topic' in to && to.topic.startsWith('ward:') && who.wards.includes(to.topic.slice(5));
  if (!publisher && !managerOk) return step({ status: 403, code: 'forbidden' });
  const audience = audienceOf(to);
  if (audience.kind === 'users' && audience.users.some((u) => !t.member(u))) return step({ status: 400, code: 'unknown_recipients' });
  const members = membersOf(t.members, audience);
  const plans = members.map((u) => ({ u, p: plan(t.member(u) as Member, type, priority) }));
  const inboxUsers = plans.filter((x) => x.p.inbox).map((x) => x.u);
  const n: ModelNotification = { idx, mark, type, priority, actions: actions?.map((a) => a.id) ?? [], senderId: who.userId, audience, members, inboxUsers, pushUsers: plans.filter((x) => x.p.push).map((x) => x.u) };
  t.notifications.push(n);
  for (const u of inboxUsers) t.rowsOf(u).set(idx, { read: false, acted: null });
  if (inboxUsers.length) {
    const personal = Object.fromEntries(inboxUsers.map((u) => [u, t.unread(u)]));
    t.append('notification', inboxUsers.length === members.length ? audience : { kind: 'users', users: inboxUsers }, mark, personal);
  }
  const made = step({ status: 201, notif: idx, recipients: inboxUsers.length, replayed: false });
  if (key !== undefined) t.keys.set(key, { idx, step: made });
  return made;
}

/** A notification for an inbox step: mostly the user's own, sometimes a colleague's or another tenant's. */
function pickRef(w: World, t: TenantModel, u: string, foreignAny: boolean): NotifRef {
  const { rng } = w;
  const mine = [...t.rowsOf(u).keys()];
  const kind = rng.weighted({ mine: mine.length ? 6 : 0, colleague: t.notifications.length ? 2 : 0, foreign: 2 });
  if (kind === 'mine') return { tenant: t.id, idx: rng.pick(mine) };
  if (kind === 'colleague') return { tenant: t.id, idx: rng.int(0, t.notifications.length - 1) };
  const other = rng.pick(w.tenants.filter((x) => x !== t && (foreignAny ? x.notifications.length : true)));
  return { tenant: other.id, idx: foreignAny ? rng.int(0, other.notifications.length - 1) : 0 };
}

function inboxStep(w: World, t: TenantModel, foreignAny: boolean): Step {
  const { rng } = w;
  const who = rng.pick(t.members);
  const u = who.userId;
  const via: Via = rng.pick(['a', 'b'] as const);
  const op = rng.weighted({ list: 2, get: 1, 'read-one': 2, 'read-ids': 2, 'read-all': 1, 'delete-one': 1, 'delete-ids': 1, press: 3 });
  if (op === 'list') return { kind: 'list', via, who, expect: listOf(t, u) };
  if (op === 'get') {
    const ref = pickRef(w, t, u, foreignAny);
    return { kind: 'get', via, who, ref, expect: { status: t.own(ref, u) ? 200 : 404 } };
  }
  if (op === 'read-one' || op === 'read-ids' || op === 'read-all') {
    const form = op === 'read-one' ? 'one' : op === 'read-ids' ? 'ids' : 'all';
    const refs = form === 'one' ? [pickRef(w, t, u, foreignAny)] : form === 'ids' ? dedupe(Array.from({ length: rng.int(1, 3) }, () => pickRef(w, t, u, foreignAny))) : [];
    if (form === 'one' && !t.own(refs[0] as NotifRef, u)) return { kind: 'read', via, who, form, refs, expect: { status: 404 } };
    const changed = form === 'all' ? [...t.rowsOf(u).entries()].filter(([, r]) => !r.read).map(([i]) => i) : refs.filter((r) => t.own(r, u) && !t.own(r, u)?.read).map((r) => r.idx);
    for (const i of changed) {
      (t.rowsOf(u).get(i) as InboxRow).read = true;
      t.everRead.add(`${u}\0${i}`);
    }
    const unread = t.unread(u);
    if (changed.length) t.append('inbox.updated', { kind: 'users', users: [u] }, `inbox:read:${t.refsLabel(form === 'all' ? 'all' : refs)}#${unread}`);
    return { kind: 'read', via, who, form, refs, expect: { status: 200, updated: changed.length, unread } };
  }
  if (op === 'delete-one' || op === 'delete-ids') {
    const form = op === 'delete-one' ? 'one' : 'ids';
    const refs = form === 'one' ? [pickRef(w, t, u, foreignAny)] : dedupe(Array.from({ length: rng.int(1, 3) }, () => pickRef(w, t, u, foreignAny)));
    if (form === 'one' && !t.own(refs[0] as NotifRef, u)) return { kind: 'delete', via, who, form, refs, expect: { status: 404 } };
    const gone = refs.filter((r) => t.own(r, u));
    for (const r of gone) t.rowsOf(u).delete(r.idx);
    const unread = t.unread(u);
    if (gone.length) t.append('inbox.updated', { kind: 'users', users: [u] }, `inbox:deleted:${t.refsLabel(refs)}#${unread}`);
    return { kind: 'delete', via, who, form, refs, expect: { status: 200, deleted: gone.length, unread } };
  }
  // A press: the button of a notification in the inbox (once), or a button it does not have.
  const ref = pickRef(w, t, u, foreignAny);
  const row = t.own(ref, u);
  const n = ref.tenant === t.id ? t.notifications[ref.idx] : undefined;
  const action = rng.chance(0.85) ? 'ack' : 'nope';
  if (!row || !n || !n.actions.includes(action)) return { kind: 'press', via, who, ref, action, expect: { status: 404 } };
  if (row.acted !== null) return { kind: 'press', via, who, ref, action, expect: { status: 409 } };
  row.acted = action;
  t.everRead.add(`${u}\0${ref.idx}`);
  if (!row.read) {
    row.read = true;
    t.append('inbox.updated', { kind: 'users', users: [u] }, `inbox:read:${markOf(ref)}#${t.unread(u)}`);
  }
  t.append('notification.updated', { kind: 'users', users: [n.senderId] }, `upd:${markOf(ref)}:${action}:${u}`);
  return { kind: 'press', via, who, ref, action, expect: { status: 200 } };
}

function dedupe(refs: NotifRef[]): NotifRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(markOf(r)) && seen.add(markOf(r)));
}

export function listOf(t: Pick<TenantModel, 'rowsOf' | 'id'>, u: string): ListExpect {
  const rows = [...t.rowsOf(u).entries()];
  return {
    unread: rows.filter(([, r]) => !r.read).length,
    items: rows.map(([i, r]) => ({ mark: markOf({ tenant: t.id, idx: i }), read: r.read, acted: r.acted })).sort((a, b) => a.mark.localeCompare(b.mark)),
  };
}

const ATTACKS: Attack[] = [
  'wrong-secret-publish',
  'alg-none-publish',
  'expired-inbox',
  'tampered-tenant-inbox',
  'tampered-tenant-stream',
  'publish-names-tenant',
  'send-names-tenant',
  'send-foreign-users',
  'stream-foreign-ward',
  'push-foreign-topic',
  'push-claims-tenant',
  'push-unsubscribe-foreign',
  'ticket-reuse',
];

function attackStep(w: World, t: TenantModel, what: Attack): Step | null {
  const { rng } = w;
  const via: Via = rng.pick(['a', 'b'] as const);
  const other = rng.pick(w.tenants.filter((x) => x !== t));
  const member = rng.pick(t.members);
  const status: Record<Attack, number> = {
    'wrong-secret-publish': 401,
    'alg-none-publish': 401,
    'expired-inbox': 401,
    'tampered-tenant-inbox': 401,
    'tampered-tenant-stream': 401,
    'publish-names-tenant': 400,
    'send-names-tenant': 400,
    'send-foreign-users': 400,
    'stream-foreign-ward': 403,
    'push-foreign-topic': 403,
    'push-claims-tenant': 403,
    'push-unsubscribe-foreign': 404,
    'ticket-reuse': 401,
  };
  let who: Person = member;
  if (what === 'wrong-secret-publish' || what === 'alg-none-publish' || what === 'publish-names-tenant' || what === 'send-names-tenant') who = APP;
  if (what === 'send-foreign-users') {
    who = APP;
    if (!other.members.some((m) => !t.member(m.userId))) return null;
  }
  if (what === 'stream-foreign-ward' || what === 'push-foreign-topic') {
    const missing = WARD_POOL.filter((x) => !member.wards.includes(x));
    if (!missing.length) return null;
  }
  if (what === 'push-unsubscribe-foreign' && !other.subs.length) return null;
  if (what === 'ticket-reuse' && !t.streams.some((s) => s.auth === 'ticket')) return null;
  return { kind: 'attack', via, what, who, foreign: other.id, expect: { status: status[what] } };
}

export interface ScenarioSize {
  tenants: [number, number];
  members: [number, number];
  initialStreams: [number, number];
  mixSteps: [number, number];
  attacks: [number, number];
}

export const DEFAULT_SIZE: ScenarioSize = { tenants: [4, 6], members: [4, 6], initialStreams: [3, 5], mixSteps: [16, 22], attacks: [5, 8] };

export function makeScenario(seed: number, size: ScenarioSize = DEFAULT_SIZE): Scenario {
  const rng = new Rng(seed);
  const n = rng.int(size.tenants[0], size.tenants[1]);
  const tenants: TenantModel[] = [];
  for (let i = 0; i < n; i++) {
    // User and ward ids overlap between tenants on purpose: `kim` of h0 is not `kim` of h1.
    const members = rng.subset(USER_POOL, size.members[0], size.members[1]).map((userId) => ({
      userId,
      roles: rng.subset(ROLE_POOL, 1, 2),
      wards: rng.subset(WARD_POOL, 1, 2),
      muted: rng.chance(0.25),
    }));
    const t = new TenantModel(`h${i}`, members);
    let k = 0;
    for (const m of members) {
      const devices = rng.chance(0.45) ? rng.int(1, 2) : 0;
      for (let d = 0; d < devices; d++) {
        const requested = rng.chance(0.4) ? rng.subset(grantedTopics(m).slice(1), 1, 1) : undefined;
        t.subs.push({ name: `${t.id}-p${k++}`, tenant: t.id, userId: m.userId, via: rng.pick(['a', 'b'] as const), requested, topics: selectedTopics(m, requested) as string[] });
      }
    }
    tenants.push(t);
  }
  const w: World = { rng, tenants };
  const phases = new Map<TenantModel, Step[][]>(tenants.map((t) => [t, [[], [], [], [], [], []]]));
  const at = (t: TenantModel, p: number) => (phases.get(t) as Step[][])[p] as Step[];
  for (const t of tenants) for (let i = rng.int(size.initialStreams[0], size.initialStreams[1]); i > 0; i--) at(t, 1).push(streamStep(w, t, 1));
  for (const t of tenants) at(t, 2).push(sendStep(w, t, true));
  for (const t of tenants) {
    for (let i = rng.int(size.mixSteps[0], size.mixSteps[1]); i > 0; i--) {
      const kind = rng.weighted({ publish: 4, send: 4, stream: 1.5, inbox: 4 });
      at(t, 3).push(kind === 'publish' ? publishStep(w, t) : kind === 'send' ? sendStep(w, t, false) : kind === 'stream' ? streamStep(w, t, 3) : inboxStep(w, t, false));
    }
  }
  for (const t of tenants) {
    // Refused requests, and inbox requests naming any tenant's notifications: none may change anything.
    for (let i = rng.int(size.attacks[0], size.attacks[1]); i > 0; i--) {
      const s = attackStep(w, t, rng.pick(ATTACKS));
      if (s) at(t, 4).push(s);
    }
    for (let i = 0; i < 4; i++) {
      const who = rng.pick(t.members);
      const ref = pickRef(w, t, who.userId, true);
      if (ref.tenant === t.id) continue;
      const via = rng.pick(['a', 'b'] as const);
      at(t, 4).push(
        rng.pick<Step>([
          { kind: 'get', via, who, ref, expect: { status: 404 } },
          { kind: 'read', via, who, form: 'one', refs: [ref], expect: { status: 404 } },
          { kind: 'read', via, who, form: 'ids', refs: [ref], expect: { status: 200, updated: 0, unread: t.unread(who.userId) } },
          { kind: 'delete', via, who, form: 'one', refs: [ref], expect: { status: 404 } },
          { kind: 'delete', via, who, form: 'ids', refs: [ref], expect: { status: 200, deleted: 0, unread: t.unread(who.userId) } },
          { kind: 'press', via, who, ref, action: 'ack', expect: { status: 404 } },
        ]),
      );
    }
  }
  for (const t of tenants) {
    const mark = `${t.id}-end`;
    at(t, 5).push({ kind: 'publish', via: rng.pick(['a', 'b'] as const), who: APP, type: 'schedule.updated', to: { tenant: true }, mark, expect: { status: 202, offset: t.append('schedule.updated', { kind: 'tenant' }, mark) } });
  }
  return {
    seed,
    tenants: tenants.map((t) => ({
      id: t.id,
      members: t.members,
      subs: t.subs,
      phases: phases.get(t) as Step[][],
      events: t.events,
      notifications: t.notifications,
      inbox: t.inbox,
      everRead: t.everRead,
      streams: t.streams,
    })),
  };
}
