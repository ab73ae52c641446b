/**
 * The stream shared by a browser's tabs (createSharedSSEClient), against a small log server on
 * loopback: each "tab" is a client with its own view of an in-process Web Locks manager and the
 * real BroadcastChannel of Node, so elections, handovers and crashes run as in a browser.
 */
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { choosePresenter, createSharedSSEClient, type BroadcastChannelLike, type LockManagerLike, type SharedSSEClient, type TabPresence } from '../../packages/client/src/shared-stream.js';
import { eventually } from '../helpers/eventually.js';
import { postJson, startService } from '../helpers/service.js';
import { openStream, startServer, write, type TestServer } from './helpers.js';

/** Web Locks as a browser implements them for one origin: FIFO per name, released when the holder's tab dies. */
function lockManager() {
  const queues = new Map<string, Array<{ tab: string; grant: () => void; cancel: () => void }>>();
  const held = new Map<string, { tab: string; release: () => void }>();
  const next = (name: string) => {
    if (held.has(name)) return;
    const q = queues.get(name) ?? [];
    const w = q.shift();
    if (w) w.grant();
  };
  return {
    held,
    /** The LockManager one tab sees. */
    forTab(tab: string): LockManagerLike {
      return {
        request(name, options, callback) {
          return new Promise((resolve, reject) => {
            const entry = {
              tab,
              grant: () => {
                let done = false;
                const release = () => {
                  if (done) return;
                  done = true;
                  held.delete(name);
                  resolve(undefined);
                  next(name);
                };
                held.set(name, { tab, release });
                void callback({ name }).then(release, release);
              },
              cancel: () => reject(new DOMException('aborted', 'AbortError')),
            };
            options.signal?.addEventListener('abort', () => {
              const q = queues.get(name) ?? [];
              const i = q.indexOf(entry);
              if (i >= 0) (q.splice(i, 1), entry.cancel());
            });
            const q = queues.get(name) ?? [];
            q.push(entry);
            queues.set(name, q);
            next(name);
          });
        },
      };
    },
    /** The tab is gone (closed, crashed): the browser frees its locks and drops its waits. */
    kill(tab: string): void {
      for (const [name, q] of queues) queues.set(name, q.filter((w) => w.tab !== tab));
      for (const [, h] of [...held]) if (h.tab === tab) h.release();
    },
  };
}

/** Node's BroadcastChannel, with a switch that silences one tab as a crash would. */
function channels() {
  const open = new Map<string, BroadcastChannel[]>();
  return {
    forTab(tab: string): new (name: string) => BroadcastChannelLike {
      return class {
        readonly #c: BroadcastChannel;
        onmessage: ((e: { data: unknown }) => void) | null = null;
        constructor(name: string) {
          this.#c = new BroadcastChannel(name);
          (this.#c as unknown as { unref?: () => void }).unref?.();
          this.#c.onmessage = (e) => this.onmessage?.({ data: (e as MessageEvent).data });
          open.set(tab, [...(open.get(tab) ?? []), this.#c]);
        }
        postMessage(m: unknown) {
          this.#c.postMessage(m);
        }
        close() {
          this.#c.close();
        }
      };
    },
    kill(tab: string): void {
      for (const c of open.get(tab) ?? []) c.close();
      open.delete(tab);
    },
  };
}

/** An SSE server over an append-only log: replays after Last-Event-ID, then live; counts streams. */
async function logServer(opts: { overlap?: number } = {}) {
  const log: Array<{ id: string; data: string }> = [];
  const live = new Set<http.ServerResponse>();
  let opened = 0;
  const server: TestServer = await startServer(async (req, res, seen) => {
    opened++;
    openStream(res);
    live.add(res);
    res.on('close', () => live.delete(res));
    const from = seen.lastEventId ? Number(seen.lastEventId) : null;
    // A fresh stream learns its position from an id-only frame, as Wardbell sends one.
    if (from === null) await write(res, `retry: 1\nid: ${log.length}\n\n`);
    // `overlap` replays a few events the client already has, as a server may: the client drops them.
    else for (let i = Math.max(0, from - (opts.overlap ?? 0)); i < log.length; i++) await write(res, `id: ${i + 1}\nevent: notification\ndata: ${log[i]!.data}\n\n`);
  });
  return {
    url: server.url,
    get open() {
      return live.size;
    },
    get opened() {
      return opened;
    },
    publish(data: string) {
      log.push({ id: String(log.length + 1), data });
      const frame = `id: ${log.length}\nevent: notification\ndata: ${data}\n\n`;
      for (const res of live) res.write(frame);
    },
    /** Drops every stream from the server side (a server restart, a lost connection). */
    dropAll() {
      for (const res of live) res.destroy();
    },
    close: () => server.close(),
  };
}

interface Tab {
  id: string;
  client: SharedSSEClient;
  got: string[];
  presented: string[];
  presence: { visible: boolean; focused: boolean; fire: () => void };
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

let suite = 0;
async function browser(options: { overlap?: number; now?: () => number } = {}) {
  const server = await logServer(options);
  cleanup.push(() => server.close());
  const locks = lockManager();
  const chans = channels();
  const shareKey = `test-${process.pid}-${++suite}`;
  const tabs: Tab[] = [];
  function open(id: string, opts: { visible?: boolean; focused?: boolean } = {}): Tab {
    const listeners = new Set<() => void>();
    const presence = { visible: opts.visible ?? true, focused: opts.focused ?? false, fire: () => listeners.forEach((f) => f()) };
    const tabPresence: TabPresence = { visible: () => presence.visible, focused: () => presence.focused, onChange: (f) => (listeners.add(f), () => listeners.delete(f)) };
    let clock = 0;
    const client = createSharedSSEClient({
      url: server.url,
      shareKey,
      tabId: id,
      heartbeatTimeoutMs: null,
      random: () => 0,
      reconnect: { jitter: 'full' },
      env: { locks: locks.forTab(id), BroadcastChannel: chans.forTab(id), presence: tabPresence, now: options.now ?? (() => ++clock + Number(id.replace(/\D/g, '') || 0) * 1000) },
    });
    const tab: Tab = { id, client, got: [], presented: [], presence };
    client.on('notification', (data, e) => {
      tab.got.push(String(data));
      if (e.present) tab.presented.push(String(data));
    });
    client.connect();
    tabs.push(tab);
    cleanup.push(() => client.close());
    return tab;
  }
  /** A tab that dies without a word: its channel goes quiet, its locks are freed, its fetch never ends cleanly. */
  function crash(tab: Tab) {
    chans.kill(tab.id);
    locks.kill(tab.id);
    tab.client.close();
  }
  return { server, open, crash, tabs, locks };
}

const seq = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe('createSharedSSEClient: one stream per browser', () => {
  it('five tabs hold one server connection, and every tab gets every event once, in order', async () => {
    const b = await browser();
    const tabs = ['t1', 't2', 't3', 't4', 't5'].map((id) => b.open(id));
    await eventually(() => tabs.every((t) => t.client.state === 'open'), { message: 'all tabs open' });
    expect(tabs.map((t) => t.client.role)).toEqual(['leader', 'follower', 'follower', 'follower', 'follower']);
    expect(b.server.open).toBe(1);
    expect(b.server.opened).toBe(1);
    for (let i = 1; i <= 20; i++) b.server.publish(String(i));
    await eventually(() => tabs.every((t) => t.got.length === 20), { message: 'every tab has 20 events' });
    for (const t of tabs) expect(t.got).toEqual(seq(1, 20));
    expect(b.server.opened).toBe(1);
  });

  it('when the leader closes, the next tab takes over from the last event id: nothing lost, nothing twice', async () => {
    const b = await browser({ overlap: 3 });
    const [t1, t2, t3] = ['t1', 't2', 't3'].map((id) => b.open(id)) as [Tab, Tab, Tab];
    await eventually(() => [t1, t2, t3].every((t) => t.client.state === 'open'));
    for (let i = 1; i <= 5; i++) b.server.publish(String(i));
    await eventually(() => t2.got.length === 5 && t3.got.length === 5);
    t1.client.close();
    // Published while no tab holds the stream: the new leader must replay them.
    for (let i = 6; i <= 10; i++) b.server.publish(String(i));
    await eventually(() => t2.client.role === 'leader' || t3.client.role === 'leader', { message: 'a new leader' });
    for (let i = 11; i <= 15; i++) b.server.publish(String(i));
    await eventually(() => t2.got.length >= 15 && t3.got.length >= 15, { message: 'both survivors have 15' });
    expect(t2.got).toEqual(seq(1, 15));
    expect(t3.got).toEqual(seq(1, 15));
    expect(b.server.open).toBe(1);
  });

  it('a crashed leader (no goodbye) is replaced, and the new leader resumes from the position of a quiet stream', async () => {
    const b = await browser();
    b.server.publish('before'); // the log has history; no tab has seen an event yet
    const t1 = b.open('t1');
    const t2 = b.open('t2');
    await eventually(() => t1.client.state === 'open' && t2.client.state === 'open' && t2.client.lastEventId === '1', { message: 't2 knows the position' });
    b.crash(t1);
    b.server.publish('a'); // while nobody leads
    await eventually(() => t2.client.role === 'leader');
    b.server.publish('b');
    await eventually(() => t2.got.length >= 2);
    expect(t2.got).toEqual(['a', 'b']);
    await eventually(() => b.server.open === 1);
  });

  it('a server drop is one reconnect of the leader; the followers see the states and lose nothing', async () => {
    const b = await browser();
    const [t1, t2] = ['t1', 't2'].map((id) => b.open(id)) as [Tab, Tab];
    const states: string[] = [];
    t2.client.on('state', (s) => states.push(`${s.from}>${s.to}`));
    await eventually(() => t2.client.state === 'open');
    b.server.publish('1');
    await eventually(() => t2.got.length === 1);
    b.server.dropAll();
    b.server.publish('2'); // nobody connected
    await eventually(() => t1.got.length === 2 && t2.got.length === 2);
    expect(t2.got).toEqual(['1', '2']);
    expect(states).toContain('open>reconnecting');
    expect(states.at(-1)).toBe('connecting>open');
    expect(b.server.opened).toBe(2);
  });

  it('presents each event in one tab only: the focused visible one, else the leader', async () => {
    const b = await browser();
    const t1 = b.open('t1', { visible: false });
    const t2 = b.open('t2', { visible: true, focused: false });
    const t3 = b.open('t3', { visible: true, focused: false });
    await eventually(() => [t1, t2, t3].every((t) => t.client.state === 'open'));
    t3.presence.focused = true;
    t3.presence.fire();
    await eventually(async () => {
      b.server.publish('probe');
      await eventually(() => t3.presented.includes('probe') || t2.presented.includes('probe'), { timeout: 500 });
      return t3.presented.at(-1) === 'probe';
    }, { message: 't3 presents once its focus is known' });
    const counts = () => [t1, t2, t3].map((t) => t.presented.length);
    const before = counts();
    b.server.publish('x');
    await eventually(() => [t1, t2, t3].every((t) => t.got.at(-1) === 'x'));
    const after = counts();
    expect(after.map((n, i) => n - before[i]!)).toEqual([0, 0, 1]);
    // Every event was presented exactly once across the tabs.
    const total = t1.got.length;
    expect(t1.presented.length + t2.presented.length + t3.presented.length).toBe(total);
    // Nobody visible: the leader presents.
    for (const t of [t2, t3]) (t.presence.visible = false), t.presence.fire();
    await new Promise((r) => setImmediate(r));
    await eventually(async () => {
      b.server.publish('hidden');
      await eventually(() => t1.got.at(-1) === 'hidden', { timeout: 500 });
      return t1.presented.at(-1) === 'hidden';
    });
  });

  it('after the presenting leader crashed, the events are presented once by the tabs that are left', async () => {
    const b = await browser();
    const t1 = b.open('t1', { visible: true, focused: true });
    const t2 = b.open('t2', { visible: true });
    const t3 = b.open('t3', { visible: true });
    await eventually(() => [t1, t2, t3].every((t) => t.client.state === 'open'));
    b.server.publish('a');
    await eventually(() => t1.presented.includes('a'), { message: 't1 presents while it leads and is in front' });
    b.crash(t1); // no goodbye: its presence is still on record in the other tabs
    await eventually(() => t2.client.role === 'leader' || t3.client.role === 'leader');
    for (const x of ['b', 'c', 'd']) b.server.publish(x);
    await eventually(() => t2.got.length === 4 && t3.got.length === 4);
    expect([...t2.presented, ...t3.presented].sort()).toEqual(['b', 'c', 'd']);
  });

  it('stops choosing a presenter that died without a word once it has been silent too long', async () => {
    let now = Date.UTC(2026, 11, 3, 9);
    const b = await browser({ now: () => now });
    const t1 = b.open('t1', { visible: false });
    const t2 = b.open('t2', { visible: true, focused: true });
    await eventually(() => t1.client.state === 'open' && t2.client.state === 'open');
    b.server.publish('a');
    await eventually(() => t2.presented.includes('a'), { message: 't2 presents while in front' });
    // t2 crashes: no goodbye, and t1 still holds the stream.
    b.crash(t2);
    b.server.publish('b');
    await eventually(() => t1.got.includes('b'));
    expect(t1.presented).toEqual([]); // t2 is still on record as in front: nobody showed it
    now += 40_000; // longer than 2.5 presence beats with no word from t2
    b.server.publish('c');
    await eventually(() => t1.got.includes('c'));
    expect(t1.presented).toEqual(['c']);
  });

  it('is a stream of its own where Web Locks or BroadcastChannel are missing', async () => {
    const server = await logServer();
    cleanup.push(() => server.close());
    const clients = [1, 2].map(() => createSharedSSEClient({ url: server.url, heartbeatTimeoutMs: null, env: { locks: undefined, BroadcastChannel: undefined } }));
    const got: Array<{ data: string; present: boolean | undefined }> = [];
    for (const c of clients) {
      c.on('notification', (d, e) => got.push({ data: String(d), present: e.present }));
      c.connect();
      cleanup.push(() => c.close());
    }
    await eventually(() => clients.every((c) => c.state === 'open'));
    expect(clients.map((c) => c.role)).toEqual(['solo', 'solo']);
    expect(server.open).toBe(2);
    server.publish('1');
    await eventually(() => got.length === 2);
    expect(got).toEqual([{ data: '1', present: true }, { data: '1', present: true }]);
    clients[0]!.close();
    expect(clients[0]!.state).toBe('closed');
  });

  it('close() of a follower leaves the others streaming; connect() rejoins', async () => {
    const b = await browser();
    const [t1, t2] = ['t1', 't2'].map((id) => b.open(id)) as [Tab, Tab];
    await eventually(() => t2.client.state === 'open');
    t2.client.close();
    expect(t2.client.state).toBe('closed');
    expect(t2.client.role).toBe('idle');
    b.server.publish('1');
    await eventually(() => t1.got.length === 1);
    expect(t2.got).toEqual([]);
    t2.client.connect();
    await eventually(() => t2.client.state === 'open');
    b.server.publish('2');
    await eventually(() => t2.got.length === 1);
    expect(t2.got).toEqual(['2']);
    expect(b.server.open).toBe(1);
  });
});

describe('createSharedSSEClient against the service', () => {
  it('five tabs of one user: one stream in the hub, every notification in every tab once, one tab presents it, and a handover loses nothing', async () => {
    const svc = await startService();
    cleanup.push(() => svc.close());
    const locks = lockManager();
    const chans = channels();
    const token = await svc.token({ tenantId: 'h1', userId: 'kim' });
    const sender = await svc.token({ tenantId: 'h1', userId: 'app', roles: ['service'] });
    const tabs = ['t1', 't2', 't3', 't4', 't5'].map((id) => {
      const got: string[] = [];
      const presented: string[] = [];
      const client = createSharedSSEClient({ url: `${svc.url}/api/sse`, getToken: () => token, shareKey: `svc-${process.pid}-kim`, tabId: id, heartbeatTimeoutMs: null, env: { locks: locks.forTab(id), BroadcastChannel: chans.forTab(id) } });
      client.on('notification', (n, e) => {
        got.push(n.notification.title);
        if (e.present) presented.push(n.notification.title);
      });
      client.connect();
      cleanup.push(() => client.close());
      return { id, client, got, presented };
    });
    await eventually(() => tabs.every((t) => t.client.state === 'open') && tabs[1]!.client.lastEventId !== '', { message: 'all open at a position' });
    expect(svc.wardbell.hub.connectionCount).toBe(1);
    const send = async (title: string) => expect((await postJson(`${svc.url}/api/notifications`, { title, to: { users: ['kim'] } }, sender)).status).toBe(201);
    for (const t of ['n1', 'n2', 'n3']) await send(t);
    await eventually(() => tabs.every((t) => t.got.length === 3));
    tabs[0]!.client.close(); // the leader's tab closes
    locks.kill('t1');
    await send('n4'); // sent during the handover
    await eventually(() => tabs.slice(1).some((t) => t.client.role === 'leader'));
    await send('n5');
    await eventually(() => tabs.slice(1).every((t) => t.got.length === 5), { message: 'survivors have five' });
    for (const t of tabs.slice(1)) expect(t.got).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(tabs.reduce((n, t) => n + t.presented.length, 0)).toBe(3 + 2);
    await eventually(() => svc.wardbell.hub.connectionCount === 1);
  });
});

describe('choosePresenter (pure)', () => {
  it('picks the visible tab focused last, else the fallback', () => {
    const tabs = new Map([
      ['a', { visible: true, focusedAt: 5 }],
      ['b', { visible: true, focusedAt: 9 }],
      ['c', { visible: false, focusedAt: 20 }],
    ]);
    expect(choosePresenter(tabs, 'leader')).toBe('b');
    expect(choosePresenter(new Map([['c', { visible: false, focusedAt: 1 }]]), 'leader')).toBe('leader');
    expect(choosePresenter(new Map([['y', { visible: true, focusedAt: 0 }], ['x', { visible: true, focusedAt: 0 }]]), 'l')).toBe('x');
  });
});
