/**
 * One event stream per browser, shared by every tab of the app: the tabs elect a leader with the
 * Web Locks API (one exclusive lock per share key; the browser hands it to the next waiting tab
 * when the leader closes, crashes or navigates away), the leader holds the only SSE connection and
 * relays what it receives over a BroadcastChannel, the others listen there. A new leader resumes
 * from the last event id every tab has seen, so a handover loses nothing; each tab drops ids it
 * has seen, so nothing is shown twice. For each event the leader names one tab to present it (a
 * toast, a sound): the most recently focused visible tab, else itself.
 *
 * Where Web Locks or BroadcastChannel are missing (old browsers, Node without locks), the client
 * is a plain per-tab stream (`role: 'solo'`). The returned object is an `SSEClient`, so code
 * written for one stream works unchanged.
 */
import { RecentIds } from './dedupe.js';
import { SSEClientError, type SSEErrorCode } from './errors.js';
import { callListener, parseData } from './messages.js';
import { createSSEClient } from './sse-client.js';
import type { ConnectionState, EventStreamMessage, ServerEventMap, SSEClient, SSEClientOptions, StateChange, StateChangeReason, Unsubscribe } from './types.js';

/** The part of `navigator.locks` the shared stream uses. */
export interface LockManagerLike {
  request(name: string, options: { mode?: 'exclusive'; signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

/** The part of `BroadcastChannel` the shared stream uses. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** Whether this tab is in front of the user, and a way to hear when that changes. */
export interface TabPresence {
  visible(): boolean;
  focused(): boolean;
  /** Calls `fn` on every change (visibility, focus); returns the unsubscribe. */
  onChange(fn: () => void): () => void;
  /** Calls `fn` when the page goes away (`pagehide`); returns the unsubscribe. */
  onLeave?(fn: () => void): () => void;
}

/** What the browser provides; each part is injectable so the logic runs in tests without one. */
export interface SharedStreamEnvironment {
  locks?: LockManagerLike | undefined;
  BroadcastChannel?: (new (name: string) => BroadcastChannelLike) | undefined;
  presence?: TabPresence | undefined;
  now?: () => number;
}

export interface SharedSSEClientOptions extends SSEClientOptions {
  /**
   * Tabs with the same key share one stream. Default: the stream's URL. Put the user's id in it
   * when tabs of one browser may be signed in as different users: a tab never reads a stream
   * opened with another key (and so with another user's token).
   */
  shareKey?: string;
  /** Default: the page's `navigator.locks`, `BroadcastChannel` and `document`. */
  env?: SharedStreamEnvironment;
  /** This tab's id in the election (default random). */
  tabId?: string;
}

/**
 * `leader`: this tab holds the connection; `follower`: another tab does and relays to this one;
 * `solo`: no sharing here (APIs missing), this tab has its own stream; `idle`: not connected.
 */
export type SharedRole = 'leader' | 'follower' | 'solo' | 'idle';

export interface SharedSSEClient<M extends object = ServerEventMap> extends SSEClient<M> {
  readonly role: SharedRole;
  readonly tabId: string;
}

/** What tabs tell each other over the channel (structured-clone safe). */
type WireError = { code: SSEErrorCode; message: string; retryable: boolean; status?: number | undefined };
interface Snapshot {
  state: ConnectionState;
  lastEventId: string;
  attempts: number;
  reconnectCount: number;
  reconnectionTime: number | null;
  error: WireError | null;
}
type Wire =
  | { k: 'event'; from: string; message: EventStreamMessage; presenter: string }
  | { k: 'state'; from: string; snapshot: Snapshot; change: (Omit<StateChange, 'error'> & { error?: WireError }) | null }
  | { k: 'error'; from: string; error: WireError }
  | { k: 'position'; from: string; lastEventId: string }
  | { k: 'hello'; from: string }
  | { k: 'presence'; from: string; visible: boolean; focusedAt: number }
  | { k: 'bye'; from: string }
  | { k: 'connect'; from: string };

type AnyListener = (...args: never[]) => void;

/** Every tab says how it stands this often; one not heard from for 2.5 times as long is gone. */
export const PRESENCE_EVERY_MS = 15_000;
const PRESENCE_STALE_MS = PRESENCE_EVERY_MS * 2.5;

const toWire = (e: SSEClientError): WireError => ({ code: e.code, message: e.message, retryable: e.retryable, status: e.status });
const wireChange = (c: StateChange): Omit<StateChange, 'error'> & { error?: WireError } => {
  const { error, ...rest } = c;
  return error ? { ...rest, error: toWire(error) } : rest;
};
const fromWire = (e: WireError): SSEClientError => new SSEClientError(e.code, e.message, { retryable: e.retryable, ...(e.status === undefined ? {} : { status: e.status }) });

function pageEnvironment(): SharedStreamEnvironment {
  const g = globalThis as unknown as {
    navigator?: { locks?: LockManagerLike };
    BroadcastChannel?: new (name: string) => BroadcastChannelLike;
    document?: { visibilityState?: string; hasFocus?: () => boolean; addEventListener(t: string, f: () => void): void; removeEventListener(t: string, f: () => void): void };
    addEventListener?: (t: string, f: () => void) => void;
    removeEventListener?: (t: string, f: () => void) => void;
  };
  const doc = g.document;
  const presence: TabPresence | undefined = doc
    ? {
        visible: () => doc.visibilityState !== 'hidden',
        focused: () => doc.hasFocus?.() ?? false,
        onChange: (fn) => {
          doc.addEventListener('visibilitychange', fn);
          g.addEventListener?.('focus', fn);
          g.addEventListener?.('blur', fn);
          return () => {
            doc.removeEventListener('visibilitychange', fn);
            g.removeEventListener?.('focus', fn);
            g.removeEventListener?.('blur', fn);
          };
        },
        onLeave: (fn) => {
          g.addEventListener?.('pagehide', fn);
          return () => g.removeEventListener?.('pagehide', fn);
        },
      }
    : undefined;
  return { locks: g.navigator?.locks, BroadcastChannel: g.BroadcastChannel, presence };
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The tab that presents an event (pure): the visible tab focused most recently, else `fallback`
 * (the leader). Ties go to the smaller id, so every tab would agree.
 */
export function choosePresenter(tabs: ReadonlyMap<string, { visible: boolean; focusedAt: number }>, fallback: string): string {
  let best: string | null = null;
  let bestAt = -Infinity;
  for (const [id, p] of tabs) {
    if (!p.visible) continue;
    if (p.focusedAt > bestAt || (p.focusedAt === bestAt && best !== null && id < best)) {
      best = id;
      bestAt = p.focusedAt;
    }
  }
  return best ?? fallback;
}

class SharedClient implements SharedSSEClient<ServerEventMap> {
  readonly url: string;
  readonly tabId: string;
  #role: SharedRole = 'idle';
  #snapshot: Snapshot;
  /** The leader's connection; also the solo one. */
  #inner: SSEClient | null = null;
  #innerOff: Unsubscribe[] = [];
  #channel: BroadcastChannelLike | null = null;
  #lockAbort: AbortController | null = null;
  #releaseLock: (() => void) | null = null;
  #presenceOff: (() => void) | null = null;
  /** The other tabs' last word on whether they are in front, and when it came (`seenAt`). */
  readonly #tabs = new Map<string, { visible: boolean; focusedAt: number; seenAt: number }>();
  /** This tab's own: whether it is visible, and when it last had focus. */
  #selfPresence = { visible: true, focusedAt: 0 };
  readonly #recent: RecentIds;
  readonly #listeners = new Map<string, Set<AnyListener>>();
  readonly #opts: SharedSSEClientOptions;
  /** Looked up at connect, not at construction: a client made during a server render touches nothing. */
  #env: SharedStreamEnvironment = {};
  readonly #key: string;

  constructor(options: SharedSSEClientOptions) {
    this.#opts = options;
    this.url = String(options.url);
    this.tabId = options.tabId ?? randomId();
    this.#key = `wardbell-sse:${options.shareKey ?? this.url}`;
    this.#recent = new RecentIds(options.dedupeWindow ?? 1024);
    this.#snapshot = { state: 'closed', lastEventId: options.lastEventId ?? '', attempts: 0, reconnectCount: 0, reconnectionTime: null, error: null };
  }

  get role(): SharedRole {
    return this.#role;
  }
  get state(): ConnectionState {
    return this.#inner?.state ?? this.#snapshot.state;
  }
  get lastEventId(): string {
    return this.#snapshot.lastEventId;
  }
  get attempts(): number {
    return this.#inner?.attempts ?? this.#snapshot.attempts;
  }
  get reconnectCount(): number {
    return this.#inner?.reconnectCount ?? this.#snapshot.reconnectCount;
  }
  get reconnectionTime(): number | null {
    return this.#inner ? this.#inner.reconnectionTime : this.#snapshot.reconnectionTime;
  }
  get error(): SSEClientError | null {
    if (this.#inner) return this.#inner.error;
    return this.#snapshot.error ? fromWire(this.#snapshot.error) : null;
  }

  on(type: string, listener: AnyListener): Unsubscribe {
    const set = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, set);
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  connect(): void {
    if (this.#role === 'idle') return this.#join();
    if (this.#inner) return this.#inner.connect();
    if (this.#snapshot.state === 'closed') this.#post({ k: 'connect', from: this.tabId });
  }

  close(): void {
    if (this.#role === 'idle') return;
    this.#dropInner();
    this.#post({ k: 'bye', from: this.tabId });
    this.#channel?.close();
    this.#channel = null;
    this.#lockAbort?.abort();
    this.#lockAbort = null;
    this.#releaseLock?.(); // the next waiting tab becomes the leader
    this.#releaseLock = null;
    this.#presenceOff?.();
    this.#presenceOff = null;
    this.#tabs.clear();
    this.#role = 'idle';
    this.#setState({ ...this.#snapshot, state: 'closed', error: null }, 'client_close');
  }

  #join(): void {
    this.#env = this.#opts.env ?? pageEnvironment();
    const { locks, BroadcastChannel: Channel } = this.#env;
    if (!locks || !Channel) {
      this.#role = 'solo';
      return this.#lead();
    }
    this.#role = 'follower';
    const channel = new Channel(this.#key);
    this.#channel = channel;
    channel.onmessage = (e) => this.#receive(e.data as Wire);
    this.#watchPresence();
    this.#setState({ ...this.#snapshot, state: 'connecting', error: null }, 'connect');
    this.#post({ k: 'hello', from: this.tabId });
    const abort = new AbortController();
    this.#lockAbort = abort;
    locks
      .request(this.#key, { mode: 'exclusive', signal: abort.signal }, () => {
        if (abort.signal.aborted || this.#channel !== channel) return Promise.resolve();
        this.#lockAbort = null;
        return new Promise<void>((release) => {
          this.#releaseLock = release;
          this.#role = 'leader';
          // Who is in front is asked anew: the previous leader's tab, and any that died, are gone.
          this.#tabs.clear();
          this.#post({ k: 'hello', from: this.tabId });
          this.#lead();
        });
      })
      .catch(() => {}); // aborted by close() before the lock came
  }

  /** Opens this tab's own connection, from the last id any tab of the key has seen. */
  #lead(): void {
    const inner = createSSEClient({ ...this.#opts, lastEventId: this.#snapshot.lastEventId });
    this.#inner = inner;
    this.#innerOff = [
      inner.on('state', (change) => {
        const next = this.#snap(inner);
        const local: StateChange = { ...change, from: this.#snapshot.state };
        this.#snapshot = next;
        this.#post({ k: 'state', from: this.tabId, snapshot: next, change: wireChange(local) });
        if (local.from !== local.to) this.#emit('state', local);
      }),
      inner.on('error', (error) => {
        this.#post({ k: 'error', from: this.tabId, error: toWire(error) });
        this.#emit('error', error);
      }),
      inner.on('position', (id) => {
        this.#snapshot.lastEventId = id;
        this.#post({ k: 'position', from: this.tabId, lastEventId: id });
        this.#emit('position', id);
      }),
      inner.on('message', (_data, message) => {
        const presenter = this.#role === 'leader' ? choosePresenter(this.#presenceWithSelf(), this.tabId) : this.tabId;
        this.#post({ k: 'event', from: this.tabId, message, presenter });
        this.#deliver(message, presenter);
      }),
    ];
    inner.connect();
  }

  #dropInner(): void {
    for (const off of this.#innerOff) off();
    this.#innerOff = [];
    if (this.#inner) this.#snapshot = this.#snap(this.#inner);
    this.#inner?.close();
    this.#inner = null;
  }

  #snap(c: SSEClient): Snapshot {
    return { state: c.state, lastEventId: this.#snapshot.lastEventId, attempts: c.attempts, reconnectCount: c.reconnectCount, reconnectionTime: c.reconnectionTime, error: c.error ? toWire(c.error) : null };
  }

  #receive(m: Wire): void {
    if (this.#role === 'idle' || m.from === this.tabId) return;
    switch (m.k) {
      case 'event':
        return this.#deliver(m.message, m.presenter);
      case 'state': {
        if (this.#inner) return; // a late message of the previous leader: this tab leads now
        const from = this.#snapshot.state;
        // A tab that has seen no event yet starts from the leader's position.
        const lastEventId = this.#snapshot.lastEventId || m.snapshot.lastEventId;
        this.#snapshot = { ...m.snapshot, lastEventId };
        const to = m.snapshot.state;
        if (from === to) return;
        const { error: wireError, ...rest } = m.change ?? { error: undefined };
        const change: StateChange = m.change
          ? { ...(rest as Omit<StateChange, 'error'>), from, ...(wireError ? { error: fromWire(wireError) } : {}) }
          : { from, to, reason: to === 'open' ? 'opened' : (m.snapshot.error?.code ?? 'connect'), attempts: m.snapshot.attempts };
        return this.#emit('state', change);
      }
      case 'position':
        if (this.#inner) return;
        this.#snapshot.lastEventId = m.lastEventId;
        return this.#emit('position', m.lastEventId);
      case 'error':
        if (!this.#inner) this.#emit('error', fromWire(m.error));
        return;
      case 'hello':
        // A new tab: the leader tells it where the stream is; everyone tells it who is in front.
        if (this.#role === 'leader' && this.#inner) this.#post({ k: 'state', from: this.tabId, snapshot: this.#snapshot, change: null });
        return this.#postPresence();
      case 'presence':
        this.#tabs.set(m.from, { visible: m.visible, focusedAt: m.focusedAt, seenAt: (this.#env.now ?? Date.now)() });
        return;
      case 'bye':
        this.#tabs.delete(m.from);
        return;
      case 'connect':
        this.#inner?.connect();
        return;
    }
  }

  /** Every tab's copy of an event: once per id, in arrival order, with `present` for this tab. */
  #deliver(message: EventStreamMessage, presenter: string): void {
    if (message.id !== undefined && this.#recent.seen(message.id)) return;
    this.#snapshot.lastEventId = message.lastEventId;
    const event: EventStreamMessage = { ...message, present: presenter === this.tabId };
    const data = parseData(message.data);
    const typed = this.#listeners.get(message.type);
    if (typed) for (const fn of [...typed]) callListener(fn, data, event);
    if (message.type === 'message') return;
    const all = this.#listeners.get('message');
    if (all) for (const fn of [...all]) callListener(fn, data, event);
  }

  /** Who may present: this tab and the others heard from lately (a tab that died without a word drops out). */
  #presenceWithSelf(): Map<string, { visible: boolean; focusedAt: number }> {
    const now = (this.#env.now ?? Date.now)();
    const all = new Map<string, { visible: boolean; focusedAt: number }>();
    for (const [id, p] of this.#tabs) if (now - p.seenAt <= PRESENCE_STALE_MS) all.set(id, p);
    all.set(this.tabId, this.#selfPresence);
    return all;
  }


  #watchPresence(): void {
    const p = this.#env.presence;
    const now = this.#env.now ?? Date.now;
    const update = () => {
      const visible = p ? p.visible() : true;
      const focused = p ? p.focused() : false;
      this.#selfPresence = { visible, focusedAt: focused ? now() : this.#selfPresence.focusedAt };
      this.#postPresence();
    };
    update();
    const offChange = p ? p.onChange(update) : null;
    // A closed tab says goodbye, so it is not chosen to present what it can no longer show; a tab
    // that crashes cannot, so every tab repeats itself and the silent ones drop out.
    const offLeave = p?.onLeave?.(() => this.#post({ k: 'bye', from: this.tabId })) ?? null;
    const setT = this.#opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    const clearT = this.#opts.clearTimeout ?? ((h) => globalThis.clearTimeout(h as Parameters<typeof clearTimeout>[0]));
    let timer: unknown = null;
    const beat = () => {
      this.#postPresence();
      timer = setT(beat, PRESENCE_EVERY_MS);
      (timer as { unref?: () => unknown } | null)?.unref?.();
    };
    timer = setT(beat, PRESENCE_EVERY_MS);
    (timer as { unref?: () => unknown } | null)?.unref?.();
    this.#presenceOff = () => (offChange?.(), offLeave?.(), clearT(timer));
  }

  #postPresence(): void {
    this.#post({ k: 'presence', from: this.tabId, visible: this.#selfPresence.visible, focusedAt: this.#selfPresence.focusedAt });
  }

  #post(m: Wire): void {
    try {
      this.#channel?.postMessage(m);
    } catch {
      // a closed channel: this tab is leaving
    }
  }

  #setState(next: Snapshot, reason: StateChangeReason): void {
    const from = this.#snapshot.state;
    this.#snapshot = next;
    if (from === next.state) return;
    const change: StateChange = { from, to: next.state, reason, attempts: next.attempts, ...(next.error ? { error: fromWire(next.error) } : {}) };
    this.#emit('state', change);
  }

  #emit(type: 'state' | 'error' | 'position', value: unknown): void {
    const set = this.#listeners.get(type);
    if (set) for (const fn of [...set]) callListener(fn, value);
  }
}

/**
 * Creates a stream shared by all tabs of this browser that use the same `shareKey` (see the module
 * comment). Same options and interface as `createSSEClient`; `role` says which part this tab plays.
 * Each event's `present` is true in exactly one tab: show toasts only where it is.
 *
 * @example
 * const stream = createSharedSSEClient({ url: '/api/sse', getToken, shareKey: `user:${userId}` });
 * stream.on('notification', (n, event) => { if (event.present) toast(n.title); });
 * stream.connect();
 */
export function createSharedSSEClient<M extends object = ServerEventMap>(options: SharedSSEClientOptions): SharedSSEClient<M> {
  return new SharedClient(options) as unknown as SharedSSEClient<M>;
}
