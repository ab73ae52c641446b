// @vitest-environment happy-dom
// @vitest-environment-options {"url": "http://localhost:5173/"}
/**
 * useOpenedNotification: the page a push tap opened (`?notification=<id>`) fetches that
 * notification with the signed-in user's credentials, through happy-dom's fetch (CORS enforced)
 * against a real service on another origin whose hospital keeps lock screens generic.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useOpenedNotification, useStreamState, WardbellProvider } from '../../packages/react/src/index.js';
import { signDevToken, type Identity } from '../../packages/wardbell/src/auth/index.js';
import { startProcess, type ServiceProcess } from '../helpers/process.js';
import { TEST_SECRET } from '../helpers/service.js';

let proc: ServiceProcess;
let dataDir: string;
let service: string;
const PAGE = 'http://localhost:5173';
const token = (id: Partial<Identity> & { tenantId: string; userId: string }) => signDevToken({ roles: [], wards: [], ...id }, new TextEncoder().encode(TEST_SECRET), 600);

async function call(method: string, path: string, bearer: string, body?: unknown) {
  const res = await fetch(`${proc.url}${path}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wardbell-react-opened-'));
  proc = await startProcess({ WARDBELL_JWT_SECRET: TEST_SECRET, WARDBELL_CORS_ORIGINS: PAGE, WARDBELL_RATE_LIMITS: 'off', WARDBELL_DATA_DIR: dataDir });
  service = await token({ tenantId: 'h1', userId: 'scheduler', roles: ['service'] });
  const admin = await token({ tenantId: 'h1', userId: 'boss', roles: ['admin'] });
  expect((await call('PUT', '/api/directory/members', service, { members: ['kim', 'lee'].map((userId) => ({ userId, wards: ['3'], roles: ['nurse'] })) })).status).toBe(200);
  expect((await call('PUT', '/api/tenant/settings', admin, { lockScreen: 'generic' })).json).toEqual({ lockScreen: 'generic' });
}, 30_000);
afterAll(async () => {
  await proc?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

function Opened() {
  const o = useOpenedNotification();
  const stream = useStreamState();
  return (
    <section>
      <span data-testid="stream">{stream}</span>
      <span data-testid="id">{o.id ?? ''}</span>
      <span data-testid="state">{o.loading ? 'loading' : o.error ? `error ${(o.error as { status?: number }).status ?? ''}` : o.notification ? 'shown' : 'none'}</span>
      <span data-testid="title">{o.notification?.title ?? ''}</span>
      <span data-testid="read">{o.notification ? (o.notification.readAt ? 'read' : 'unread') : ''}</span>
      <button type="button" onClick={o.close}>
        Close
      </button>
    </section>
  );
}

function mount(user: string) {
  return render(
    <WardbellProvider baseUrl={proc.url} getToken={() => token({ tenantId: 'h1', userId: user, roles: ['nurse'], wards: ['3'] })} api={{ retries: 0 }} share={false}>
      <Opened />
    </WardbellProvider>,
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;

describe('useOpenedNotification', () => {
  it('fetches the notification a tap opened with the user\'s credentials, keeps it current, and takes the id out of the address', async () => {
    const sent = await call('POST', '/api/notifications', service, { type: 'emergency_call', priority: 'urgent', title: 'Cardiac arrest, bed 12: Quokka Tanaka', body: 'Room 4711 now.', to: { users: ['kim'] } });
    expect(sent.status).toBe(201);
    const id = sent.json.notification.id as string;
    window.history.replaceState(null, '', `/rota?tab=today&notification=${encodeURIComponent(id)}`);
    mount('kim');
    expect(text('id')).toBe(id);
    await waitFor(() => expect(text('state')).toBe('shown'), { timeout: 5000 });
    expect(text('title')).toBe('Cardiac arrest, bed 12: Quokka Tanaka');
    expect(text('read')).toBe('unread');
    // A reload does not open it again; the rest of the address stays.
    expect(window.location.href).toBe(`${PAGE}/rota?tab=today`);
    // Read on another device: the stream says so and the hook reads it again.
    expect((await call('PATCH', `/api/notifications/${id}`, await token({ tenantId: 'h1', userId: 'kim' }), { read: true })).status).toBe(200);
    await waitFor(() => expect(text('read')).toBe('read'), { timeout: 5000 });
    screen.getByRole('button', { name: 'Close' }).click();
    await waitFor(() => expect(text('state')).toBe('none'));
    expect(text('id')).toBe('');
  });

  it('shows nothing of a notification that is not in this user\'s inbox', async () => {
    const sent = await call('POST', '/api/notifications', service, { title: 'For Lee only: bed 7', to: { users: ['lee'] } });
    const id = sent.json.notification.id as string;
    window.history.replaceState(null, '', `/?notification=${encodeURIComponent(id)}`);
    mount('kim');
    await waitFor(() => expect(text('state')).toBe('error 404'), { timeout: 5000 });
    expect(text('title')).toBe('');
    expect(document.body.textContent).not.toContain('bed 7');
  });

  it('opens nothing on a page whose address names no notification', async () => {
    mount('kim');
    // The page is live (its stream open, so its effects have run): still nothing opened.
    await waitFor(() => expect(text('stream')).toBe('open'), { timeout: 5000 });
    expect(text('state')).toBe('none');
    expect(text('id')).toBe('');
    expect(window.location.href).toBe(`${PAGE}/`);
  });
});
