/**
 * `npm run bench:notify`: the notification service under load, in a separate server process.
 * 1. A send to a ward of 200 and to a tenant of 5,000 members, all connected over SSE: time from
 *    the POST until every recipient has the `notification` event (p50/p99/max), the POST's own
 *    latency (one transaction writing every inbox row), and inbox rows written per second.
 * 2. An inbox holding 100,000 notifications: GET /api/notifications (first page + unread count),
 *    the unread-only page, and a deep cursor page, p50/p99 over many sequential requests.
 * Writes bench/results/notify-<timestamp>.json and prints a table.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { signDevToken } from '../packages/wardbell/src/auth/index.js';
import { percentile, StreamPool } from './notify/streams.js';

const SECRET = 'bench-secret-0123456789abcdef0123456789';
const quick = process.argv.includes('--quick');
const TENANT_SIZE = quick ? 1000 : 5000;
const WARD_SIZE = 200;
const INBOX_SIZE = quick ? 20_000 : 100_000;
const REPEATS = quick ? 3 : 5;
const PAGE_SAMPLES = quick ? 300 : 2000;

const child = fork(new URL('./notify/server.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_SECRET: SECRET } });
const messages: Array<(m: Record<string, unknown>) => void> = [];
child.on('message', (m: Record<string, unknown>) => messages.shift()?.(m));
const next = () => new Promise<Record<string, unknown>>((r) => messages.push(r));
const killChild = () => child.connected && child.disconnect();
process.on('exit', killChild);

const url = String((await next()).ready);
const { hostname, port } = new URL(url);
const enc = new TextEncoder().encode(SECRET);
const token = (userId: string, roles: string[] = [], wards: string[] = []) => signDevToken({ tenantId: 'bench', userId, roles, wards }, enc, 3600);
const service = await token('scheduler', ['service']);
const api = async (method: string, path: string, body?: unknown, t = service) => {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};
const round = (n: number) => Math.round(n * 100) / 100;

// Directory: 5,000 staff; the first 200 in ward w1.
const users = Array.from({ length: TENANT_SIZE }, (_, i) => `nurse-${String(i).padStart(5, '0')}`);
await api('PUT', '/api/directory/members', { members: users.map((u, i) => ({ userId: u, roles: ['nurse'], wards: [i < WARD_SIZE ? 'w1' : 'w2'] })) });
const pool = new StreamPool(hostname, Number(port));
const t0 = performance.now();
await pool.open(await Promise.all(users.map((u, i) => token(u, ['nurse'], [i < WARD_SIZE ? 'w1' : 'w2']))));
console.log(`opened ${pool.sockets.length} streams in ${Math.round(performance.now() - t0)} ms`);

async function fanout(label: string, to: unknown, expected: number) {
  const runs: Array<{ postMs: number; p50: number; p99: number; max: number; received: number }> = [];
  for (let r = 0; r < REPEATS; r++) {
    const marker = `m-${label}-${r}-${Date.now()}`;
    pool.watch(marker);
    const start = performance.now();
    await api('POST', '/api/notifications', { type: 'schedule_published', priority: 'high', title: marker, body: 'bench', to });
    const postMs = performance.now() - start;
    const deadline = Date.now() + 10_000;
    while (pool.arrivals(marker).length < expected && Date.now() < deadline) await new Promise((res) => setTimeout(res, 2));
    const lat = pool.arrivals(marker).map((t) => t - start).sort((a, b) => a - b);
    runs.push({ postMs: round(postMs), p50: round(percentile(lat, 50)), p99: round(percentile(lat, 99)), max: round(lat[lat.length - 1] ?? NaN), received: lat.length });
    await new Promise((res) => setTimeout(res, 200));
  }
  const med = (k: 'postMs' | 'p50' | 'p99' | 'max') => round([...runs.map((x) => x[k])].sort((a, b) => a - b)[Math.floor(runs.length / 2)] as number);
  return { label, recipients: expected, runs, median: { postMs: med('postMs'), p50: med('p50'), p99: med('p99'), max: med('max') }, inboxRowsPerSecond: Math.round(expected / (med('postMs') / 1000)), lost: runs.reduce((s, x) => s + (expected - x.received), 0) };
}

const ward = await fanout('ward-200', { topic: 'ward:w1' }, WARD_SIZE);
const tenant = await fanout(`tenant-${TENANT_SIZE}`, { tenant: true }, TENANT_SIZE);
pool.close();

// Inbox with 100,000 notifications for one user.
child.send({ cmd: 'seed-inbox', tenantId: 'bench', userId: 'heavy', n: INBOX_SIZE });
const seeded = await next();
if (seeded.error) throw new Error(String(seeded.error));
const heavy = await token('heavy', ['nurse'], ['w9']);
// Page latency is sampled with node:http on one keep-alive connection: fetch (undici) allocates
// several times what the service does per request, and its collector pauses landed in the tail.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function get(path: string, t: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), path, agent, headers: { authorization: `Bearer ${t}` } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}
async function sample(path: string) {
  const lat: number[] = [];
  for (let i = 0; i < 50; i++) await get(path, heavy); // warm-up
  for (let i = 0; i < PAGE_SAMPLES; i++) {
    const s = performance.now();
    await get(path, heavy);
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  return { path, samples: lat.length, p50: round(percentile(lat, 50)), p99: round(percentile(lat, 99)), max: round(lat[lat.length - 1] ?? NaN) };
}
const first = (await api('GET', '/api/notifications?limit=20', undefined, heavy)) as { nextCursor: string; unreadCount: number };
let cursor = first.nextCursor;
for (let i = 0; i < 200; i++) cursor = ((await api('GET', `/api/notifications?limit=20&cursor=${cursor}`, undefined, heavy)) as { nextCursor: string }).nextCursor;
const pages = [
  await sample('/api/notifications?limit=20'),
  await sample('/api/notifications?limit=20&status=unread'),
  await sample(`/api/notifications?limit=20&cursor=${cursor}`),
  await sample('/api/notifications?limit=20&type=swap_requested'),
];

const result = {
  benchmark: 'notify',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  quick,
  fanout: [ward, tenant],
  inbox: { notifications: INBOX_SIZE, unreadCount: first.unreadCount, pages },
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/notify-${result.date.replace(/[:.]/g, '-').slice(0, 19)}${quick ? '-quick' : ''}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

console.log('\nfan-out (median of runs; latency from POST start to the event at each recipient, ms)');
console.table([ward, tenant].map((f) => ({ audience: f.label, recipients: f.recipients, 'POST ms': f.median.postMs, p50: f.median.p50, p99: f.median.p99, max: f.median.max, 'inbox rows/s': f.inboxRowsPerSecond, lost: f.lost })));
console.log(`\ninbox of ${INBOX_SIZE} notifications (HTTP round trip, ms)`);
console.table(pages.map((p) => ({ request: p.path.replace(/cursor=[^&]+/, 'cursor=<page 200>'), p50: p.p50, p99: p.p99, max: p.max })));
console.log(`\nwritten ${file.pathname}`);
killChild();
process.exit(0);
