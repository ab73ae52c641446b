// @vitest-environment happy-dom
// @vitest-environment-options {"url": "http://localhost:5173/"}
/**
 * The headless hooks against a real service (in a process of its own), through happy-dom's fetch:
 * a stream `reset` refetching the list, cursor pages, filters (also for live events), a press in
 * flight and a refused one, optimistic changes seen before the server answers, and rollbacks that
 * keep what the stream brought while the failing call was in flight.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useAction, useInbox, useStreamEvent, useStreamState, useUnreadCount, WardbellProvider, type UseInboxOptions, type UseInboxResult } from '../../packages/react/src/index.js';
import { holdRequests, startKitService, type KitService } from './kit-service.js';

const PAGE = 'http://localhost:5173';
let svc: KitService;

beforeAll(async () => {
  svc = await startKitService(PAGE, ['ana', 'bo', 'cy', 'dee', 'eve', 'fay', 'gil']);
}, 30_000);
afterAll(async () => {
  await svc?.stop();
});
afterEach(cleanup);

type Hold = ReturnType<typeof holdRequests>;

/** The provider as a page of `user` has it: no retries, the API's fetch through `hold`. */
function Kit(props: { user: string; hold: Hold; connect?: boolean; stream?: { lastEventId: string }; children: ReactNode }) {
  return (
    <WardbellProvider baseUrl={svc.url} getToken={() => svc.nurse(props.user)} api={{ retries: 0, fetch: props.hold.fetch }} share={false} connect={props.connect ?? true} {...(props.stream ? { stream: props.stream } : {})}>
      {props.children}
    </WardbellProvider>
  );
}

/** The list as rows (title and read state), the server's count, the stream state, the error, the resets seen. */
function Probe(props: { options?: UseInboxOptions; onInbox: (r: UseInboxResult) => void }) {
  const inbox = useInbox(props.options);
  const badge = useUnreadCount();
  const state = useStreamState();
  props.onInbox(inbox);
  useStreamEvent('reset', (d) => {
    const el = document.querySelector('[data-testid="resets"]');
    if (el) el.textContent += `${(d as { reason: string }).reason};`;
  });
  return (
    <div>
      <span data-testid="state">{state}</span>
      <span data-testid="badge">{badge ?? '-'}</span>
      <span data-testid="list-count">{inbox.unreadCount ?? '-'}</span>
      <span data-testid="error">{inbox.error?.message ?? ''}</span>
      <span data-testid="resets" />
      <ul>
        {inbox.items.map((i) => (
          <li key={i.id} data-read={i.readAt ? 'yes' : 'no'}>
            {i.title}
          </li>
        ))}
      </ul>
    </div>
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;
const rows = () => [...document.querySelectorAll('li')].map((li) => `${li.textContent}:${li.dataset.read}`);
const titles = () => [...document.querySelectorAll('li')].map((li) => li.textContent);
const listCalls = (hold: Hold) => hold.seen.filter((s) => /^GET \/api\/notifications\?/.test(s) && !/limit=1(&|$)/.test(s));

describe('useInbox', () => {
  it('refetches the list when the stream answers with a reset (an unknown Last-Event-ID)', async () => {
    await svc.send(['ana'], 'Before the page');
    const hold = holdRequests();
    let inbox!: UseInboxResult;
    const page = (connect: boolean) => (
      <Kit user="ana" hold={hold} connect={connect} stream={{ lastEventId: 'not-a-position-of-this-service' }}>
        <Probe onInbox={(r) => (inbox = r)} />
      </Kit>
    );
    const { rerender } = render(page(false));
    await waitFor(() => expect(titles()).toEqual(['Before the page']));
    expect(listCalls(hold)).toHaveLength(1);
    // Sent while the page has no stream: only a refetch can bring it.
    await svc.send(['ana'], 'While the stream was closed');
    rerender(page(true));
    await waitFor(() => expect(text('resets')).toBe('unknown-id;'));
    await waitFor(() => expect(titles()).toEqual(['While the stream was closed', 'Before the page']));
    expect(listCalls(hold)).toHaveLength(2);
    expect(listCalls(hold)[1]).not.toMatch(/cursor=/);
    expect(inbox.unreadCount).toBe(2);
    // The stream goes on from the reset's position: the next notification comes live.
    await svc.send(['ana'], 'After the reset');
    await waitFor(() => expect(titles()[0]).toBe('After the reset'));
    expect(listCalls(hold)).toHaveLength(2);
  });

  it('loads the next cursor page with loadMore, after the first, without duplicates', async () => {
    for (const t of ['Oldest', 'Middle', 'Newest']) await svc.send(['bo'], t);
    const hold = holdRequests();
    let inbox!: UseInboxResult;
    render(
      <Kit user="bo" hold={hold}>
        <Probe options={{ pageSize: 2 }} onInbox={(r) => (inbox = r)} />
      </Kit>,
    );
    await waitFor(() => expect(titles()).toEqual(['Newest', 'Middle']));
    expect(inbox.hasMore).toBe(true);
    expect(listCalls(hold)).toEqual(['GET /api/notifications?limit=2']);
    await act(() => inbox.loadMore());
    expect(titles()).toEqual(['Newest', 'Middle', 'Oldest']);
    expect(listCalls(hold)[1]).toMatch(/^GET \/api\/notifications\?limit=2&cursor=[^&]+$/);
    expect(inbox.hasMore).toBe(false);
    // With no page left, loadMore asks nothing.
    await act(() => inbox.loadMore());
    expect(listCalls(hold)).toHaveLength(2);
  });

  it('keeps to its filter: the server filters the pages, a live event that does not match stays out', async () => {
    await svc.send(['cy'], 'Low before', { priority: 'low' });
    await svc.send(['cy'], 'Urgent before', { priority: 'urgent' });
    const hold = holdRequests();
    render(
      <Kit user="cy" hold={hold}>
        <Probe options={{ filter: { priority: 'urgent' } }} onInbox={() => undefined} />
      </Kit>,
    );
    await waitFor(() => expect(titles()).toEqual(['Urgent before']));
    expect(listCalls(hold)[0]).toMatch(/priority=urgent/);
    await waitFor(() => expect(text('state')).toBe('open'));
    await svc.send(['cy'], 'Low live', { priority: 'low' });
    // The marker: sent after the low one, so once it shows the low one has come and gone by.
    await svc.send(['cy'], 'Urgent live', { priority: 'urgent' });
    await waitFor(() => expect(titles()).toEqual(['Urgent live', 'Urgent before']));
    // The count is the user's, all of it.
    expect(text('badge')).toBe('4');
  });

  it('with filter unread, drops an item read on another device', async () => {
    const a = await svc.send(['dee'], 'Read elsewhere');
    await svc.send(['dee'], 'Still unread');
    const hold = holdRequests();
    render(
      <Kit user="dee" hold={hold}>
        <Probe options={{ filter: { status: 'unread' } }} onInbox={() => undefined} />
      </Kit>,
    );
    await waitFor(() => expect(titles()).toEqual(['Still unread', 'Read elsewhere']));
    expect(listCalls(hold)[0]).toMatch(/status=unread/);
    await waitFor(() => expect(text('state')).toBe('open'));
    await svc.call('PATCH', `/api/notifications/${a.notification.id as string}`, { read: true }, await svc.nurse('dee'));
    await waitFor(() => expect(titles()).toEqual(['Still unread']));
    expect(text('list-count')).toBe('1');
  });

  it('shows a read at once, before the server answers, and keeps the count the server\'s until it does', async () => {
    const sent = await svc.send(['fay'], 'Read me');
    const hold = holdRequests((method) => method === 'PATCH');
    let inbox!: UseInboxResult;
    render(
      <Kit user="fay" hold={hold}>
        <Probe onInbox={(r) => (inbox = r)} />
      </Kit>,
    );
    await waitFor(() => expect(rows()).toEqual(['Read me:no']));
    await waitFor(() => expect(text('badge')).toBe('1'));
    let done!: Promise<void>;
    act(() => {
      done = inbox.markRead(sent.notification.id as string);
    });
    const patch = await hold.next('the PATCH');
    // The server has not answered (the request is held): the row is read already, the counts are the server's.
    expect(patch.url).toBe(`/api/notifications/${sent.notification.id as string}`);
    expect(rows()).toEqual(['Read me:yes']);
    expect([text('badge'), text('list-count')]).toEqual(['1', '1']);
    patch.pass();
    await act(() => done);
    await waitFor(() => expect([text('badge'), text('list-count')]).toEqual(['0', '0']));
    expect(rows()).toEqual(['Read me:yes']);
    expect(text('error')).toBe('');
  });

  it('rolls back a failed removal and a failed mark-all-read, keeping notifications that arrived while the call was in flight', async () => {
    await svc.send(['gil'], 'First');
    const second = await svc.send(['gil'], 'Second');
    const hold = holdRequests((method) => method === 'DELETE' || method === 'PATCH');
    let inbox!: UseInboxResult;
    render(
      <Kit user="gil" hold={hold}>
        <Probe onInbox={(r) => (inbox = r)} />
      </Kit>,
    );
    await waitFor(() => expect(rows()).toEqual(['Second:no', 'First:no']));
    await waitFor(() => expect(text('state')).toBe('open'));

    let removal!: Promise<void>;
    act(() => {
      removal = inbox.remove(second.notification.id as string);
    });
    const del = await hold.next('the DELETE');
    expect(rows()).toEqual(['First:no']);
    await svc.send(['gil'], 'Came during the removal');
    await waitFor(() => expect(rows()).toEqual(['Came during the removal:no', 'First:no']));
    del.fail('network down');
    await act(() => removal);
    expect(rows()).toEqual(['Came during the removal:no', 'Second:no', 'First:no']);
    expect(text('error')).toContain('network down');

    let markAll!: Promise<void>;
    act(() => {
      markAll = inbox.markAllRead();
    });
    const patch = await hold.next('the PATCH');
    expect(patch.url).toBe('/api/notifications');
    expect(rows()).toEqual(['Came during the removal:yes', 'Second:yes', 'First:yes']);
    await svc.send(['gil'], 'Came during mark all read');
    await waitFor(() => expect(rows()[0]).toBe('Came during mark all read:no'));
    patch.fail('network down again');
    await act(() => markAll);
    expect(rows()).toEqual(['Came during mark all read:no', 'Came during the removal:no', 'Second:no', 'First:no']);
    expect(text('error')).toContain('network down again');
    // Nothing was read at the server: its count says all four.
    expect([text('badge'), text('list-count')]).toEqual(['4', '4']);
  });
});

describe('useAction', () => {
  it('shows the press in flight, then the service\'s refusal (409) as its error', async () => {
    const sent = await svc.send(['eve'], 'Can you cover?', { actions: [{ id: 'yes', label: 'Yes' }] });
    const id = sent.notification.id as string;
    const hold = holdRequests((method, url) => method === 'POST' && url.pathname.endsWith('/actions/yes'));
    const answers: unknown[] = [];
    function Press() {
      const { press, pending, error } = useAction();
      return (
        <div>
          <button type="button" onClick={() => void press(id, 'yes').then((r) => answers.push(r))}>
            {pending ?? 'idle'}
          </button>
          <p role="alert">{error ? `${(error as { status?: number }).status ?? ''} ${error.message}` : ''}</p>
        </div>
      );
    }
    render(
      <Kit user="eve" hold={hold} connect={false}>
        <Press />
      </Kit>,
    );
    act(() => screen.getByRole('button').click());
    const request = await hold.next('the press');
    expect(screen.getByRole('button').textContent).toBe(`${id}/yes`);
    expect(answers).toEqual([]);
    request.pass();
    await waitFor(() => expect(answers).toEqual([expect.objectContaining({ notificationId: id, actionId: 'yes', result: 'recorded' })]));
    expect(screen.getByRole('button').textContent).toBe('idle');
    expect(screen.getByRole('alert').textContent).toBe('');
    // A second answer to the same notification: the service refuses it.
    hold.match = () => false;
    act(() => screen.getByRole('button').click());
    await waitFor(() => expect(answers).toHaveLength(2));
    expect(answers[1]).toBeNull();
    expect(screen.getByRole('alert').textContent).toMatch(/^409 You already answered this notification with "yes"/);
    expect(screen.getByRole('button').textContent).toBe('idle');
  });
});
