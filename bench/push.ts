/**
 * `npm run bench:push`: Web Push throughput to a fake push service over N subscriptions with full
 * RFC 8291 encryption and RFC 8292 VAPID, beside a naive loop over web-push's `sendNotification`,
 * in the same run.
 *
 * Processes: this one (the sender: all scenarios run here, one after another) and the push service
 * (bench/push-fake.ts: HTTPS on 127.0.0.1, VAPID verified, a sample of bodies decrypted with the
 * independent http_ece package). Scenarios, each over the same subscriptions:
 *   naive      for (...) await webpush.sendNotification(...)   (a keep-alive agent, as we give ours)
 *   web-push/C web-push's sendNotification with C requests in flight (separates concurrency from per-message cost)
 *   sender     wardbell's PushSender: cached VAPID JWT, node:crypto encryption in this thread, pooled
 *              keep-alive connections, C in flight
 *   sender+threads   the same with encryption spread over worker threads (EncryptPool, the default)
 *   outbox     wardbell end to end from the durable outbox, as the service runs it: N outbox rows in
 *              SQLite (as POST /api/notifications writes them) -> expand -> claim -> send -> settle,
 *              via PushWorker.drain(), encryption threads on
 * Each scenario runs --repeat times (the table shows the median run by pushes/s); before each run the
 * benchmark waits for the machine to be quiet (other processes using less than a quarter core), and
 * it reports the CPU other processes took during the run.
 * Every message carries a realistic payload built per recipient (JSON with an action token).
 *
 * Options (flags, or env BENCH_PUSH_<NAME>):
 *   --subs 10000          subscriptions (pushes per scenario)
 *   --naive 0             pushes of the naive loop (0: all --subs)
 *   --concurrency 64      requests in flight (WARDBELL_PUSH_CONCURRENCY)
 *   --decrypt-every 50    the push service decrypts every n-th body
 *   --scenarios naive,web-push-concurrent,sender,sender+threads,outbox
 *   --repeat 3            runs per scenario (median reported)
 *   --threads 0           encryption threads (0: availableParallelism() - 1, at least 1)
 *   --quiet-wait 60       seconds to wait for a quiet machine before each run (0: do not wait)
 *   --out <file>          result JSON (default bench/results/push-<timestamp>.json)
 *   --markdown            also print the table as Markdown (for docs/BENCHMARKS.md)
 *   --quick               smoke run: --subs 1000
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import webpush from 'web-push';
import { createActionTokens } from '../packages/wardbell/src/auth/index.js';
import { EncryptPool, type Encryptor } from '../packages/wardbell/src/push/encrypt-pool.js';
import { createKeyBox, createHttpsTransport, Limiter, PushSender, PushWorker, pushDb, pushMigrations, buildPayload, topicOf, SubscriptionManager, VapidSigner, generateVapidKeys, type PushNotification } from '../packages/wardbell/src/push/index.js';
import { systemClock } from '../packages/wardbell/src/shared/index.js';
import { migrateToLatest, openSqlite } from '../packages/wardbell/src/store/index.js';
import { tenantMigrations } from '../packages/wardbell/src/tenants/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { machineTicks, markdownTable, table } from './sse/report.js';
import { RpcChild } from './sse/rpc.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

type Scenario = 'naive' | 'web-push-concurrent' | 'sender' | 'sender+threads' | 'outbox';
interface Options {
  subs: number;
  naive: number;
  concurrency: number;
  decryptEvery: number;
  scenarios: Scenario[];
  repeat: number;
  threads: number;
  quietWaitS: number;
  out: string;
  markdown: boolean;
}

function options(argv: string[]): Options {
  const get = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0 && argv[i + 1] !== undefined) return argv[i + 1] as string;
    return process.env[`BENCH_PUSH_${name.toUpperCase().replace(/-/g, '_')}`] ?? def;
  };
  const quick = argv.includes('--quick');
  const subs = Number(get('subs', quick ? '1000' : '10000'));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    subs,
    naive: Number(get('naive', '0')) || subs,
    concurrency: Number(get('concurrency', '64')),
    decryptEvery: Number(get('decrypt-every', '50')),
    scenarios: get('scenarios', 'naive,web-push-concurrent,sender,sender+threads,outbox').split(',') as Scenario[],
    repeat: Number(get('repeat', quick ? '1' : '3')),
    threads: Number(get('threads', '0')),
    quietWaitS: Number(get('quiet-wait', quick ? '0' : '60')),
    out: get('out', join(root, 'bench', 'results', `push-${stamp}.json`)),
    markdown: argv.includes('--markdown'),
  };
}

interface Target {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}
interface PushServiceStats {
  counts: Record<string, number>;
  decrypted: number;
  decryptFailures: number;
  connections: number;
  cpuS: number;
}
interface Result {
  scenario: string;
  pushes: number;
  accepted: number;
  failed: number;
  seconds: number;
  perSecond: number;
  senderCpuS: number;
  pushServiceCpuS: number;
  perSenderCpuSecond: number;
  connections: number;
  decrypted: number;
  decryptFailures: number;
  /** CPU (cores, averaged over the run) that processes other than the sender and the push service used. */
  otherLoadCores: number | null;
}

const vapid = generateVapidKeys();
const SUBJECT = 'mailto:bench@wardbell.invalid';
const tokens = createActionTokens(randomBytes(32));
const note: PushNotification = {
  id: randomUUID(),
  tenantId: 'bench',
  type: 'emergency_call',
  priority: 'urgent',
  title: '응급 호출: 3병동 (Emergency: ward 3)',
  body: '3병동에 지금 바로 간호사가 필요합니다. A nurse is needed in ward 3 now; first to accept takes it.',
  data: { ward: '3', callId: 'ec-2026-11-26-0042' },
  actions: [{ id: 'accept', label: 'Accept now', style: 'primary' }],
  groupKey: null,
  state: null,
  createdAt: Date.now(),
};
/** The plaintext for one recipient: built per message in every scenario, as a real sender must. */
const payloadFor = (i: number) => buildPayload(note, tokens.sign({ tenantId: 'bench', userId: `u${i}`, notificationId: note.id }, 3600_000 * 49));

const TICK_S = 0.01; // USER_HZ 100 on Linux

/** Waits until processes other than ours use less than a quarter core (or `maxS` passes). */
async function quiet(maxS: number): Promise<void> {
  const deadline = Date.now() + maxS * 1000;
  while (Date.now() < deadline) {
    const m0 = machineTicks();
    const c0 = process.cpuUsage();
    await sleep(1000);
    const m1 = machineTicks();
    if (!m0 || !m1) return;
    const c = process.cpuUsage(c0);
    const others = (m1.busy - m0.busy) * TICK_S - (c.user + c.system) / 1e6;
    if (others < 0.25) return;
  }
  process.stdout.write(`  (machine still busy after ${maxS} s; measuring anyway)\n`);
}

async function measure(name: string, pushService: RpcChild, pushes: number, run: () => Promise<{ accepted: number; failed: number }>): Promise<Result> {
  const before = await pushService.call<PushServiceStats>('stats');
  const m0 = machineTicks();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { accepted, failed } = await run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const m1 = machineTicks();
  const after = await pushService.call<PushServiceStats>('stats');
  const senderCpuS = (cpu.user + cpu.system) / 1e6;
  const pushServiceCpuS = after.cpuS - before.cpuS;
  const r: Result = {
    scenario: name,
    pushes,
    accepted,
    failed,
    seconds,
    perSecond: accepted / seconds,
    senderCpuS,
    pushServiceCpuS,
    perSenderCpuSecond: accepted / senderCpuS,
    connections: after.connections - before.connections,
    decrypted: after.decrypted - before.decrypted,
    decryptFailures: after.decryptFailures - before.decryptFailures,
    otherLoadCores: m0 && m1 ? Math.max(0, ((m1.busy - m0.busy) * TICK_S - senderCpuS - pushServiceCpuS) / seconds) : null,
  };
  process.stdout.write(`  ${name}: ${accepted}/${pushes} in ${seconds.toFixed(2)} s = ${r.perSecond.toFixed(0)}/s\n`);
  return r;
}

async function naive(targets: Target[], ca: string): Promise<{ accepted: number; failed: number }> {
  const agent = new Agent({ ca, keepAlive: true });
  let accepted = 0;
  let failed = 0;
  for (let i = 0; i < targets.length; i++) {
    try {
      await webpush.sendNotification(targets[i] as Target, payloadFor(i), { vapidDetails: { subject: SUBJECT, publicKey: vapid.publicKey, privateKey: vapid.privateKey }, TTL: 3600, urgency: 'high', topic: topicOf(note), agent });
      accepted++;
    } catch {
      failed++;
    }
  }
  agent.destroy();
  return { accepted, failed };
}

async function webPushConcurrent(targets: Target[], ca: string, concurrency: number): Promise<{ accepted: number; failed: number }> {
  const agent = new Agent({ ca, keepAlive: true, maxSockets: concurrency });
  const limiter = new Limiter(concurrency);
  let accepted = 0;
  let failed = 0;
  for (let i = 0; i < targets.length; i++) {
    await limiter.acquire();
    webpush
      .sendNotification(targets[i] as Target, payloadFor(i), { vapidDetails: { subject: SUBJECT, publicKey: vapid.publicKey, privateKey: vapid.privateKey }, TTL: 3600, urgency: 'high', topic: topicOf(note), agent })
      .then(() => accepted++, () => failed++)
      .finally(() => limiter.release());
  }
  await limiter.idle();
  agent.destroy();
  return { accepted, failed };
}

const policy = { allowedHosts: ['127.0.0.1'], allowPrivateNetworks: true };

async function sender(targets: Target[], caFile: string, concurrency: number, encryptor?: Encryptor): Promise<{ accepted: number; failed: number }> {
  const transport = createHttpsTransport({ maxSockets: concurrency, caFile, allowPrivateNetworks: true });
  const s = new PushSender({ signer: new VapidSigner({ keys: vapid, subject: SUBJECT, now: Date.now }), transport, policy, now: Date.now, encryptor });
  const limiter = new Limiter(concurrency);
  let accepted = 0;
  let failed = 0;
  const topic = topicOf(note);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i] as Target;
    await limiter.acquire();
    s.send({ endpoint: t.endpoint, p256dh: Buffer.from(t.keys.p256dh, 'base64url'), auth: Buffer.from(t.keys.auth, 'base64url') }, { payload: payloadFor(i), ttl: 3600, urgency: 'high', topic, attempt: 1 })
      .then((r) => (r.outcome.kind === 'done' ? accepted++ : failed++))
      .finally(() => limiter.release());
  }
  await limiter.idle();
  transport.close();
  return { accepted, failed };
}

/** Prepares a database holding N subscriptions and N due outbox rows; returns the worker to drain it. */
async function prepareOutbox(targets: Target[], caFile: string, concurrency: number, encryptor: Encryptor) {
  const dir = mkdtempSync(join(tmpdir(), 'wardbell-bench-push-'));
  const raw = openSqlite(join(dir, 'wardbell.sqlite'));
  await migrateToLatest(raw, [pushMigrations, tenantMigrations]);
  const db = pushDb(raw);
  const keyBox = createKeyBox(randomBytes(32));
  const now = Date.now();
  const rows = targets.map((t, i) => ({
    id: randomUUID(),
    endpoint: t.endpoint,
    endpoint_hash: t.endpoint,
    tenant_id: 'bench',
    user_id: `u${i}`,
    topics: JSON.stringify([`user:u${i}`, 'ward:3']),
    keys: keyBox.seal(JSON.stringify(t.keys), { tenantId: 'bench', userId: `u${i}`, endpoint: t.endpoint }),
    expiration_time: null,
    created_at: now,
    updated_at: now,
  }));
  await raw.insertInto('notifications').values({ id: note.id, tenant_id: 'bench', type: note.type, priority: note.priority, title: note.title, body: note.body, data: JSON.stringify(note.data), actions: JSON.stringify(note.actions), audience: JSON.stringify({ kind: 'topic', topic: 'ward:3' }), group_key: null, group_count: 1, sender_id: 'app', recipient_count: targets.length, state: null, workflow_kind: null, workflow_id: null, created_at: now, updated_at: now }).execute();
  for (let i = 0; i < rows.length; i += 500) {
    await db.insertInto('push_subscriptions').values(rows.slice(i, i + 500)).execute();
    await db.insertInto('push_outbox').values(rows.slice(i, i + 500).map((r) => ({ id: randomUUID(), tenant_id: 'bench', user_id: r.user_id, notification_id: note.id, priority: 'urgent', not_before: now, status: 'pending', attempts: 0, last_error: null, created_at: now }))).execute();
  }
  const transport = createHttpsTransport({ maxSockets: concurrency, caFile, allowPrivateNetworks: true });
  const manager = new SubscriptionManager({ db, keyBox, policy, now: Date.now });
  const worker = new PushWorker({
    db,
    sender: new PushSender({ signer: new VapidSigner({ keys: vapid, subject: SUBJECT, now: Date.now }), transport, policy, now: Date.now, encryptor }),
    keyBox,
    actionTokens: tokens,
    removeSubscriptions: (d, ids, count) => manager.remove(d, ids, count),
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    concurrency,
  });
  return {
    async run() {
      await worker.drain();
      return { accepted: worker.stats.final.delivered, failed: worker.stats.final.failed + worker.stats.retriesScheduled };
    },
    async close() {
      transport.close();
      await raw.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  process.stdout.write(`push benchmark: ${o.subs} subscriptions, concurrency ${o.concurrency}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}\n`);
  const pushService = new RpcChild('push-service', join(here, 'push-fake.ts'));
  try {
    const info = await pushService.call<{ origin: string; certFile: string; subscriptions: Target[] }>('start', { subscriptions: o.subs, decryptEvery: o.decryptEvery, expectedVapidKey: vapid.publicKey });
    const ca = readFileSync(info.certFile, 'utf8');
    const targets = info.subscriptions;
    const pool = o.threads > 0 ? new EncryptPool(o.threads) : new EncryptPool();
    // Warm-up (JIT, TLS sessions, VAPID cache, encryption threads), unmeasured.
    await sender(targets.slice(0, 2000), info.certFile, o.concurrency);
    await sender(targets.slice(0, 2000), info.certFile, o.concurrency, pool);
    await naive(targets.slice(0, 200), ca);
    const runs = new Map<string, Result[]>();
    const record = (r: Result) => runs.set(r.scenario, [...(runs.get(r.scenario) ?? []), r]);
    // Scenarios interleave (A B C A B C ...), so a change in the machine's load hits all alike.
    for (let round = 0; round < o.repeat; round++) {
      for (const s of o.scenarios) {
        if (o.quietWaitS > 0) await quiet(o.quietWaitS);
        if (s === 'naive') record(await measure('naive loop (web-push)', pushService, o.naive, () => naive(targets.slice(0, o.naive), ca)));
        if (s === 'web-push-concurrent') record(await measure(`web-push, ${o.concurrency} in flight`, pushService, o.subs, () => webPushConcurrent(targets, ca, o.concurrency)));
        if (s === 'sender') record(await measure(`wardbell sender, ${o.concurrency} in flight`, pushService, o.subs, () => sender(targets, info.certFile, o.concurrency)));
        if (s === 'sender+threads') record(await measure(`wardbell sender + encryption threads`, pushService, o.subs, () => sender(targets, info.certFile, o.concurrency, pool)));
        if (s === 'outbox') {
          const prepared = await prepareOutbox(targets, info.certFile, o.concurrency, pool);
          record(await measure('wardbell outbox -> push service (SQLite)', pushService, o.subs, () => prepared.run()));
          await prepared.close();
        }
      }
    }
    await pool.close();
    const median = (rs: Result[]) => [...rs].sort((x, y) => x.perSecond - y.perSecond)[Math.floor(rs.length / 2)] as Result;
    const results = [...runs.values()].map(median);
    const naiveRate = results.find((r) => r.scenario.startsWith('naive'))?.perSecond;
    const head = ['scenario', 'pushes', 'accepted', 'seconds', 'pushes/s', 'x naive', 'sender CPU s', 'pushes per sender CPU s', 'push service CPU s', 'other load (cores)', 'TLS connections', 'decrypted ok'];
    const rows = results.map((r) => [
      r.scenario,
      String(r.pushes),
      String(r.accepted),
      r.seconds.toFixed(2),
      r.perSecond.toFixed(0),
      naiveRate ? (r.perSecond / naiveRate).toFixed(1) : '-',
      r.senderCpuS.toFixed(2),
      r.perSenderCpuSecond.toFixed(0),
      r.pushServiceCpuS.toFixed(2),
      r.otherLoadCores === null ? '-' : r.otherLoadCores.toFixed(2),
      String(r.connections),
      `${r.decrypted}/${r.decrypted + r.decryptFailures}`,
    ]);
    process.stdout.write(`\n${table(head, rows)}\n`);
    if (o.markdown) process.stdout.write(`\n${markdownTable(head, rows)}\n`);
    const bad = results.filter((r) => r.decryptFailures > 0 || r.accepted !== r.pushes);
    if (bad.length) process.stdout.write(`\nWARNING: failures in ${bad.map((r) => r.scenario).join(', ')}\n`);
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, `${JSON.stringify({ when: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, kernel: release(), node: process.version }, options: o, results, runs: Object.fromEntries(runs) }, null, 2)}\n`);
    process.stdout.write(`\nresults: ${o.out}\n`);
  } finally {
    await pushService.call('stop').catch(() => undefined);
    await pushService.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:push failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
