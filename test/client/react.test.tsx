// @vitest-environment happy-dom
// @vitest-environment-options {"url": "http://localhost:5173/"}
/**
 * useSSE in a DOM environment, through happy-dom's own fetch (which enforces CORS, as a browser
 * would) against a real loopback server on another origin.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import type http from 'node:http';
import { useCallback, useEffect } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { useSSE } from '../../packages/react/src/index.js';
import { startServer, type SeenRequest, type TestServer } from './helpers.js';

/** What the SSE endpoint must answer cross-origin: preflight, and the headers the client reads. */
function cors(req: http.IncomingMessage): Record<string, string> {
  return {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-allow-headers': 'authorization, last-event-id, cache-control',
    'access-control-expose-headers': 'retry-after',
  };
}

interface Hub {
  server: TestServer;
  /** GET requests only (preflights are answered and not recorded here). */
  gets: SeenRequest[];
  streams: http.ServerResponse[];
  send(frame: string): void;
}

let hub: Hub | null = null;

async function startHub(): Promise<Hub> {
  const gets: SeenRequest[] = [];
  const streams: http.ServerResponse[] = [];
  const server = await startServer((req, res, seen) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors(req)).end();
    gets.push(seen);
    res.writeHead(200, { 'content-type': 'text/event-stream', ...cors(req) });
    res.write(`retry: 3000\n: wardbell\n\nid: k1-${String(gets.length).padStart(12, '0')}\n\n`);
    streams.push(res);
  });
  hub = {
    server,
    gets,
    streams,
    send: (frame) => streams.at(-1)?.write(frame),
  };
  return hub;
}

afterEach(async () => {
  cleanup();
  await hub?.server.close();
  hub = null;
});

interface FeedProps {
  url: string;
  token?: string;
  enabled?: boolean;
  label?: string;
  states: string[];
  swaps: unknown[];
}

function Feed({ url, token = 't-1', enabled = true, label = 'a', states, swaps }: FeedProps) {
  const getToken = useCallback(() => token, [token]);
  const { state, lastEvent, lastEventId, error, attempts } = useSSE({
    url,
    getToken,
    enabled,
    heartbeatTimeoutMs: null,
    // A new object (and new arrows) on every render: must not reconnect.
    handlers: { 'swap.requested': (data) => swaps.push([label, data]) },
  });
  useEffect(() => {
    states.push(state);
  }, [state, states]);
  return (
    <div>
      <span data-testid="state">{state}</span>
      <span data-testid="last">{lastEvent ? `${lastEvent.type} ${JSON.stringify(lastEvent.data)}` : '-'}</span>
      <span data-testid="id">{lastEventId}</span>
      <span data-testid="error">{error ? error.code : '-'}</span>
      <span data-testid="attempts">{attempts}</span>
    </div>
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;

describe('useSSE', () => {
  it('connects, reports state transitions and events, and calls the handler for its type', async () => {
    const { server, gets, send } = await startHub();
    const states: string[] = [];
    const swaps: unknown[] = [];
    render(<Feed url={server.url} states={states} swaps={swaps} />);
    await waitFor(() => expect(text('state')).toBe('open'));
    send('id: k1-000000000010\nevent: swap.requested\ndata: {"swapId":"s-1"}\n\n');
    await waitFor(() => expect(text('last')).toBe('swap.requested {"swapId":"s-1"}'));
    expect(swaps).toEqual([['a', { swapId: 's-1' }]]);
    expect(text('id')).toBe('k1-000000000010');
    expect(text('error')).toBe('-');
    expect(text('attempts')).toBe('0');
    expect(states).toEqual(['closed', 'connecting', 'open']);
    expect(gets[0]?.authorization).toBe('Bearer t-1');
    expect(gets[0]?.headers['cache-control']).toBe('no-store');
  });

  it('closes the connection on unmount: the server sees the request aborted', async () => {
    const { server, gets } = await startHub();
    const view = render(<Feed url={server.url} states={[]} swaps={[]} />);
    await waitFor(() => expect(text('state')).toBe('open'));
    view.unmount();
    await gets[0]?.aborted;
    expect(gets).toHaveLength(1);
  });

  it('keeps the connection when the handlers change, and calls the latest ones', async () => {
    const { server, gets, send } = await startHub();
    const swaps: unknown[] = [];
    const view = render(<Feed url={server.url} label="first" states={[]} swaps={swaps} />);
    await waitFor(() => expect(text('state')).toBe('open'));
    view.rerender(<Feed url={server.url} label="second" states={[]} swaps={swaps} />);
    send('event: swap.requested\ndata: {"swapId":"s-2"}\n\n');
    await waitFor(() => expect(swaps).toEqual([['second', { swapId: 's-2' }]]));
    expect(gets).toHaveLength(1);
  });

  it('reconnects with the new token when the token provider changes, resuming from the last event ID', async () => {
    const { server, gets, send } = await startHub();
    const view = render(<Feed url={server.url} token="t-1" states={[]} swaps={[]} />);
    await waitFor(() => expect(text('state')).toBe('open'));
    send('id: k1-000000000077\ndata: x\n\n');
    await waitFor(() => expect(text('id')).toBe('k1-000000000077'));
    view.rerender(<Feed url={server.url} token="t-2" states={[]} swaps={[]} />);
    await waitFor(() => expect(gets).toHaveLength(2));
    await gets[0]?.aborted;
    expect(gets[1]?.authorization).toBe('Bearer t-2');
    expect(gets[1]?.lastEventId).toBe('k1-000000000077');
    await waitFor(() => expect(text('state')).toBe('open'));
  });

  it('does not connect while disabled, and closes when disabled again', async () => {
    const { server, gets } = await startHub();
    const view = render(<Feed url={server.url} enabled={false} states={[]} swaps={[]} />);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gets).toHaveLength(0);
    expect(text('state')).toBe('closed');
    view.rerender(<Feed url={server.url} enabled states={[]} swaps={[]} />);
    await waitFor(() => expect(text('state')).toBe('open'));
    view.rerender(<Feed url={server.url} enabled={false} states={[]} swaps={[]} />);
    await gets[0]?.aborted;
    await waitFor(() => expect(text('state')).toBe('closed'));
  });

  it('surfaces a fatal error in the returned state', async () => {
    const server = await startServer((req, res) => {
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors(req)).end();
      res.writeHead(401, { 'content-type': 'application/json', ...cors(req) }).end('{}');
    });
    hub = { server, gets: [], streams: [], send: () => undefined };
    render(<Feed url={server.url} states={[]} swaps={[]} />);
    await waitFor(() => expect(text('error')).toBe('http_status'));
    expect(text('state')).toBe('closed');
  });
});
