// @vitest-environment happy-dom
// @vitest-environment-options {"url": "http://localhost:5173/"}
/**
 * The React kit's headless hooks in a DOM, through happy-dom's fetch (CORS enforced, as in a
 * browser) against a real service on another origin: the live list, the server's count, optimistic
 * changes and their rollback, two "tabs" of one user.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Inbox, NotificationBell, NotificationPreferences, useAction, useInbox, useStreamState, useUnreadCount, WardbellProvider, type UseInboxResult } from '../../packages/react/src/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signDevToken, type Identity } from '../../packages/wardbell/src/auth/index.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { TEST_SECRET } from '../helpers/service.js';

// The service runs in a process of its own: in this one, the DOM's fetch classes replace Node's.
let proc: ServiceProcess;
let dataDir: string;
let service: string;
const PAGE = 'http://localhost:5173';
const svc = {
  get url() {
    return proc.url;
  },
  token: (id: Partial<Identity> & { tenantId: string; userId: string }) => signDevToken({ roles: [], wards: [], ...id }, new TextEncoder().encode(TEST_SECRET), 600),
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wardbell-react-'));
  proc = await startProcess({ WARDBELL_JWT_SECRET: TEST_SECRET, WARDBELL_CORS_ORIGINS: PAGE, WARDBELL_RATE_LIMITS: 'off', WARDBELL_DATA_DIR: dataDir });
  service = await svc.token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
  await call('PUT', '/api/directory/members', service, { members: ['kim', 'lee'].map((userId) => ({ userId, wards: ['3'], roles: ['nurse'] })) });
}, 30_000);
afterAll(async () => {
  await proc?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
afterEach(cleanup);

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${svc.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return (await res.json()) as Record<string, any>;
}
const send = (to: string[], title: string, extra: Record<string, unknown> = {}) => call('POST', '/api/notifications', service, { title, to: { users: to }, ...extra });

/** A page of one user: the badge, the stream state, the list; `inbox` exposes the hook's result. */
function Page(props: { name: string; onInbox?: (r: UseInboxResult) => void }) {
  const inbox = useInbox();
  const unread = useUnreadCount();
  const state = useStreamState();
  props.onInbox?.(inbox);
  return (
    <section aria-label={props.name}>
      <span data-testid={`${props.name}-badge`}>{unread ?? '-'}</span>
      <span data-testid={`${props.name}-state`}>{state}</span>
      <span data-testid={`${props.name}-list-count`}>{inbox.unreadCount ?? '-'}</span>
      <span data-testid={`${props.name}-error`}>{inbox.error ? inbox.error.message : ''}</span>
      <ul>
        {inbox.items.map((i) => (
          <li key={i.id} data-read={i.readAt ? 'yes' : 'no'}>
            {i.title}
          </li>
        ))}
      </ul>
    </section>
  );
}

function mount(user: string, name: string, opts: { fetch?: typeof fetch; onInbox?: (r: UseInboxResult) => void } = {}) {
  const getToken = () => svc.token({ tenantId: 'h1', userId: user, roles: ['nurse'], wards: ['3'] });
  return render(
    <WardbellProvider baseUrl={svc.url} getToken={getToken} api={{ retries: 0, ...(opts.fetch ? { fetch: opts.fetch } : {}) }}>
      <Page name={name} {...(opts.onInbox ? { onInbox: opts.onInbox } : {})} />
    </WardbellProvider>,
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;
const rowOf = (title: string) => screen.getAllByText(title)[0] as HTMLElement;

describe('the inbox hooks', () => {
  it('show new notifications live with the server\'s count, and a read in one tab updates the other', async () => {
    let tab1!: UseInboxResult;
    mount('kim', 'tab1', { onInbox: (r) => (tab1 = r) });
    mount('kim', 'tab2');
    await waitFor(() => expect(text('tab1-state')).toBe('open'));
    await waitFor(() => expect(text('tab2-state')).toBe('open'));
    expect(text('tab1-badge')).toBe('0');
    const sent = await send(['kim'], 'Ward 3 short tonight', { priority: 'urgent' });
    await waitFor(() => expect(text('tab1-badge')).toBe('1'));
    await waitFor(() => expect(text('tab2-badge')).toBe('1'));
    expect(screen.getAllByText('Ward 3 short tonight')).toHaveLength(2);
    // A notification to someone else never shows.
    await send(['lee'], 'For Lee only');
    await act(() => tab1.markRead(sent.notification.id as string));
    await waitFor(() => expect(text('tab1-badge')).toBe('0'));
    await waitFor(() => expect(text('tab2-badge')).toBe('0'));
    expect(rowOf('Ward 3 short tonight').dataset.read).toBe('yes');
    expect(screen.queryAllByText('For Lee only')).toHaveLength(0);
    await act(() => tab1.markUnread(sent.notification.id as string));
    await waitFor(() => expect(text('tab2-badge')).toBe('1'));
    await act(() => tab1.remove(sent.notification.id as string));
    await waitFor(() => expect(screen.queryAllByText('Ward 3 short tonight')).toHaveLength(0));
    await waitFor(() => expect(text('tab2-badge')).toBe('0'));
  });

  it('rolls an optimistic read back when the call fails, keeping the server\'s count', async () => {
    await send(['lee'], 'Bring badges');
    let inbox!: UseInboxResult;
    // The page's PATCH calls fail (the service is unreachable for them); everything else goes through.
    const failing: typeof fetch = (input, init) => (init?.method === 'PATCH' ? Promise.reject(new TypeError('network down')) : fetch(input, init));
    mount('lee', 'lee', { fetch: failing, onInbox: (r) => (inbox = r) });
    await waitFor(() => expect(screen.getByText('Bring badges')).toBeTruthy());
    const before = text('lee-list-count');
    const id = inbox.items.find((i) => i.title === 'Bring badges')?.id as string;
    await act(() => inbox.markRead(id));
    expect(rowOf('Bring badges').dataset.read).toBe('no');
    expect(text('lee-list-count')).toBe(before);
    expect(text('lee-error')).toContain('network down');
  });

  it('presses an action and reports it', async () => {
    const sent = await send(['kim'], 'Can you cover?', { actions: [{ id: 'yes', label: 'Yes' }] });
    let pressed: unknown = 'not yet';
    function Press() {
      const { press, pending } = useAction();
      return (
        <button type="button" onClick={() => void press(sent.notification.id as string, 'yes').then((r) => (pressed = r))}>
          {pending ?? 'idle'}
        </button>
      );
    }
    render(
      <WardbellProvider baseUrl={svc.url} getToken={() => svc.token({ tenantId: 'h1', userId: 'kim' })} connect={false}>
        <Press />
      </WardbellProvider>,
    );
    act(() => screen.getByRole('button').click());
    await waitFor(() => expect(pressed).toMatchObject({ notificationId: sent.notification.id, actionId: 'yes' }));
    expect(screen.getByRole('button').textContent).toBe('idle');
  });

  it('renders the bell and the inbox: the count in the bell\'s name, urgent first, read and actions by keyboard-operable buttons', async () => {
    await call('PUT', '/api/directory/members', service, { members: [{ userId: 'park', wards: ['3'], roles: ['nurse'] }] });
    render(
      <WardbellProvider baseUrl={svc.url} getToken={() => svc.token({ tenantId: 'h1', userId: 'park', roles: ['nurse'], wards: ['3'] })}>
        <NotificationBell />
        <Inbox />
      </WardbellProvider>,
    );
    await waitFor(() => expect(screen.getByText('Nothing here yet.')).toBeTruthy());
    // The bell asks for its count on its own: it may answer after the list.
    await waitFor(() => expect(screen.getByRole('button', { name: 'Notifications, none unread' })).toBeTruthy());
    await send(['park'], 'Rota for January');
    await send(['park'], 'Ward 3 needs someone now', { priority: 'urgent', actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }] });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Notifications, 2 unread' })).toBeTruthy());
    const titles = () => [...document.querySelectorAll('.wardbell-item-title')].map((b) => b.textContent);
    expect(titles()).toEqual(['Ward 3 needs someone now', 'Rota for January']);
    // Opening one marks it read; the bell follows the server's count.
    act(() => screen.getByRole('button', { name: 'Rota for January' }).click());
    await waitFor(() => expect(screen.getByRole('button', { name: 'Notifications, 1 unread' })).toBeTruthy());
    act(() => screen.getByRole('button', { name: 'Accept now' }).click());
    await waitFor(() => expect(screen.getByRole('button', { name: 'Accept now' }).getAttribute('aria-pressed')).toBe('true'));
    act(() => screen.getByRole('button', { name: 'Mark all read' }).click());
    await waitFor(() => expect(screen.getByRole('button', { name: 'Notifications, none unread' })).toBeTruthy());
  });

  it('edits and saves the user\'s preferences', async () => {
    let saved = false;
    render(
      <WardbellProvider baseUrl={svc.url} getToken={() => svc.token({ tenantId: 'h1', userId: 'lee' })} connect={false}>
        <NotificationPreferences onSaved={() => (saved = true)} />
      </WardbellProvider>,
    );
    const push = (await waitFor(() => screen.getByRole('checkbox', { name: 'Other messages: push' }))) as HTMLInputElement;
    expect(push.checked).toBe(true);
    act(() => push.click());
    expect(push.checked).toBe(false);
    act(() => screen.getByRole('button', { name: 'Save' }).click());
    await waitFor(() => expect(saved).toBe(true));
    const token = await svc.token({ tenantId: 'h1', userId: 'lee' });
    const stored = await call('GET', '/api/notifications/preferences', token);
    expect(stored.channels.general).toEqual({ inbox: true, push: false });
  });
});
