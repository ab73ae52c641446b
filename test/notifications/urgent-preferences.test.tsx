// @vitest-environment happy-dom
/**
 * The React kit's `<NotificationPreferences/>` with what the preferences API says is locked: the
 * emergency-call row and an "Urgent (any kind)" row are checked and disabled with the note
 * "Urgent notifications always reach you", and a save sends a body the service takes. The API's
 * answers are the service's own (`preferencesView`), through a scripted fetch.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { NotificationPreferences, WardbellProvider } from '../../packages/react/src/index.js';
import { PreferencesInputSchema, PreferencesSchema, preferencesView, withoutLocked } from '../../packages/wardbell/src/notifications/index.js';

afterEach(cleanup);

/** A fetch that answers the preferences routes as the service would, keeping what was PUT. */
function scriptedService() {
  let saved = PreferencesSchema.parse({ channels: { emergency_call: { inbox: false, push: false }, general: { inbox: true, push: true } } });
  const bodies: unknown[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.pathname !== '/api/notifications/preferences') return new Response('{"error":{"code":"not_found","message":"no"}}', { status: 404, headers: { 'content-type': 'application/json' } });
    if (init?.method === 'PUT') {
      const body = JSON.parse(String(init.body)) as unknown;
      bodies.push(body);
      const parsed = PreferencesInputSchema.safeParse(body);
      if (!parsed.success) return new Response('{"error":{"code":"validation_failed","message":"bad"}}', { status: 400, headers: { 'content-type': 'application/json' } });
      saved = withoutLocked(parsed.data);
    }
    return new Response(JSON.stringify(preferencesView(saved)), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, bodies };
}

describe('<NotificationPreferences/> with locked rows', () => {
  it('shows emergency calls and urgent notifications checked and disabled, with the note, and saves what the service takes', async () => {
    const svc = scriptedService();
    let saved = false;
    render(
      <WardbellProvider baseUrl="https://wardbell.example" getToken={() => 'token'} connect={false} api={{ fetch: svc.fetch as never }}>
        <NotificationPreferences onSaved={() => (saved = true)} />
      </WardbellProvider>,
    );
    const box = (name: string) => screen.getByRole('checkbox', { name }) as HTMLInputElement;
    await waitFor(() => box('Emergency calls: push'));
    // Saved as off before the lock: shown on, and not switchable.
    for (const name of ['Emergency calls: inbox', 'Emergency calls: push', 'Urgent (any kind): inbox', 'Urgent (any kind): push']) {
      expect(box(name).checked, name).toBe(true);
      expect(box(name).disabled, name).toBe(true);
      const note = document.getElementById(box(name).getAttribute('aria-describedby') ?? '');
      expect(note?.textContent).toBe('Urgent notifications always reach you');
    }
    expect(screen.getAllByText('Urgent notifications always reach you')).toHaveLength(2);
    // Clicking a locked box changes nothing.
    act(() => box('Emergency calls: push').click());
    expect(box('Emergency calls: push').checked).toBe(true);
    // The other rows stay switchable.
    expect(box('Other messages: push').disabled).toBe(false);
    act(() => box('Other messages: push').click());
    expect(box('Other messages: push').checked).toBe(false);
    act(() => screen.getByRole('button', { name: 'Save' }).click());
    await waitFor(() => expect(saved).toBe(true));
    expect(svc.bodies).toHaveLength(1);
    expect(PreferencesInputSchema.safeParse(svc.bodies[0]).success).toBe(true);
    expect((svc.bodies[0] as { channels: Record<string, unknown> }).channels.general).toEqual({ inbox: true, push: false });
    // After the save the form shows what is in force: still locked.
    expect(box('Emergency calls: inbox')).toMatchObject({ checked: true, disabled: true });
  });

  it('takes the note and the urgent row\'s label from the app', async () => {
    const svc = scriptedService();
    render(
      <WardbellProvider baseUrl="https://wardbell.example" getToken={() => 'token'} connect={false} api={{ fetch: svc.fetch as never }}>
        <NotificationPreferences lockedNote="긴급 알림은 항상 전달됩니다" urgentLabel="긴급" labels={{ emergency_call: '응급 호출' }} />
      </WardbellProvider>,
    );
    await waitFor(() => screen.getByRole('checkbox', { name: '긴급: push' }));
    expect((screen.getByRole('checkbox', { name: '응급 호출: inbox' }) as HTMLInputElement).disabled).toBe(true);
    expect(screen.getAllByText('긴급 알림은 항상 전달됩니다')).toHaveLength(2);
  });
});
