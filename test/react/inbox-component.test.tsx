// @vitest-environment happy-dom
// @vitest-environment-options {"url": "http://localhost:5173/"}
/**
 * <Inbox/> against a real service (in a process of its own), through happy-dom's fetch: its
 * loading state, its error state with a retry, and the alert for a press, a read or a removal that
 * failed while the list has rows.
 */
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Inbox, WardbellProvider } from '../../packages/react/src/index.js';
import { holdRequests, startKitService, type KitService } from './kit-service.js';

const PAGE = 'http://localhost:5173';
let svc: KitService;

beforeAll(async () => {
  svc = await startKitService(PAGE, ['ina', 'jo']);
}, 30_000);
afterAll(async () => {
  await svc?.stop();
});
afterEach(cleanup);

function mount(user: string, hold: ReturnType<typeof holdRequests>) {
  return render(
    <WardbellProvider baseUrl={svc.url} getToken={() => svc.nurse(user)} api={{ retries: 0, fetch: hold.fetch }} share={false}>
      <Inbox />
    </WardbellProvider>,
  );
}
const row = (title: string) => screen.getByRole('button', { name: title }).closest('li') as HTMLElement;
const alerts = () => screen.queryAllByRole('alert').map((a) => a.textContent);

describe('<Inbox/>', () => {
  it('shows its loading state until the first page comes, its error state with a retry when it fails', async () => {
    await svc.send(['ina'], 'Rota for March');
    const firstPage = (method: string, url: URL) => method === 'GET' && url.pathname === '/api/notifications' && url.searchParams.get('limit') === '20';
    const hold = holdRequests(firstPage);
    mount('ina', hold);
    const page = await hold.next('the first page');
    expect(screen.getByText('Loading…').className).toBe('wardbell-inbox-loading');
    expect(screen.queryByText('Nothing here yet.')).toBeNull();
    expect(alerts()).toEqual([]);
    page.fail('service unreachable');
    const alert = await waitFor(() => screen.getByRole('alert'));
    expect(alert.textContent).toBe('The notifications could not be loaded. Try again');
    expect(screen.queryByText('Loading…')).toBeNull();
    expect(screen.queryByText('Nothing here yet.')).toBeNull();
    // The retry goes through (held, to see the loading state again on the way).
    act(() => within(alert).getByRole('button', { name: 'Try again' }).click());
    const again = await hold.next('the retried page');
    expect(screen.getByText('Loading…')).toBeTruthy();
    again.pass();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Rota for March' })).toBeTruthy());
    expect(alerts()).toEqual([]);
    expect(screen.queryByText('Loading…')).toBeNull();
  });

  it('says so when a press, a read or a removal fails while the list has rows, and the row is as the server has it', async () => {
    const call = await svc.send(['jo'], 'Can you cover Friday?', { actions: [{ id: 'yes', label: 'Yes, I can' }] });
    await svc.send(['jo'], 'Parking closed');
    const hold = holdRequests();
    mount('jo', hold);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Parking closed' })).toBeTruthy());
    // Answered on another device: the page does not know yet, its press is refused (409).
    await svc.call('POST', `/api/notifications/${call.notification.id as string}/actions/yes`, {}, await svc.nurse('jo'));
    act(() => screen.getByRole('button', { name: 'Yes, I can' }).click());
    await waitFor(() => expect(alerts()).toEqual(['That did not go through: You already answered this notification with "yes". Dismiss']));
    act(() => within(screen.getByRole('alert')).getByRole('button', { name: 'Dismiss' }).click());
    expect(alerts()).toEqual([]);

    // A removal that fails: the row comes back, and the alert says why.
    hold.match = (method) => method === 'DELETE';
    act(() => within(row('Parking closed')).getByRole('button', { name: 'Remove' }).click());
    const del = await hold.next('the DELETE');
    expect(screen.queryByRole('button', { name: 'Parking closed' })).toBeNull();
    del.fail('network down');
    await waitFor(() => expect(alerts()).toEqual([expect.stringMatching(/^That did not go through: .*network down Dismiss$/)]));
    expect(screen.getByRole('button', { name: 'Parking closed' })).toBeTruthy();

    // A read that fails: unread again, and a new alert for the new failure.
    hold.match = (method) => method === 'PATCH';
    act(() => within(row('Parking closed')).getByRole('button', { name: 'Mark read' }).click());
    const patch = await hold.next('the PATCH');
    expect(row('Parking closed').className).not.toContain('wardbell-unread');
    patch.fail('still down');
    await waitFor(() => expect(alerts()).toEqual([expect.stringMatching(/^That did not go through: .*still down Dismiss$/)]));
    expect(row('Parking closed').className).toContain('wardbell-unread');

    // The next change that goes through clears it.
    hold.match = () => false;
    act(() => within(row('Parking closed')).getByRole('button', { name: 'Mark read' }).click());
    await waitFor(() => expect(row('Parking closed').className).not.toContain('wardbell-unread'));
    await waitFor(() => expect(alerts()).toEqual([]));
  });
});
