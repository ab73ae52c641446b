/**
 * `npm run bench:capacity -- --only=receipts`: what delivery receipts cost their database, on a
 * fresh PostgreSQL database and on the embedded SQLite (a temporary file), through the service's own
 * classes (`Receipts`, `ReceiptStore`) over the migrated schema (`migrateStore`). The notifications
 * and inbox rows they refer to are made by the notification service (`NotificationService.send`,
 * a tenant broadcast to every directory member; a publisher that records nothing stands in for the
 * Redis log). Phases, each timed alone:
 *  - the stream marks of a broadcast (one per recipient, buffered by `Receipts.mark`; the last of
 *    5,000 starts a round: one upsert per 300 rows, the first time reached claimed), first written;
 *  - the same marks again (the conflict path: the earliest time stays);
 *  - 'displayed' reports, one `Receipts.report` per recipient (what POST /api/notifications/receipts
 *    does after validation: which of them the user received, then a mark), their flush included;
 *    and the same number of 'displayed' marks flushed alone (the rows exist: an update each);
 *  - reads: the summary of a 5,000-recipient notification, a page of 200 recipients (the first, and
 *    one after a cursor), the summary of a one-recipient notification;
 *  - `claimPublication`, taken (the interval passed) and refused (within it: the upsert and a read);
 *  - one-recipient notifications through their whole receipts life in rounds of 20 (what a process
 *    sees at 1,000,000 staff at a shift change: ~104 sends a second, a round every 200 ms): streamed
 *    marks, a round (rows, first reached, `receipts.updated` with its summary), a displayed report,
 *    a round (first seen, the next `receipts.updated`); once with `receipts.updated` on (the
 *    default) and once off (WARDBELL_RECEIPT_EVENTS=off), each on notifications of its own.
 * PostgreSQL CPU from /proc of every `postgres` process (the database's backends plus the shared
 * background processes, `pgCpuSampler`), WAL bytes (the cluster's LSN, and the database's own records
 * with their commits via pg_walinspect), statements counted by a Kysely plugin on the receipts'
 * connection. SQLite runs in this process: its CPU is this process's (`process.cpuUsage`). Between
 * write phases on PostgreSQL the receipts tables are vacuumed (what autovacuum would do), timed apart.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type KyselyPlugin } from 'kysely';
import pg from 'pg';
import type { Identity } from '../../packages/wardbell/src/auth/index.js';
import { migrateStore } from '../../packages/wardbell/src/compose.js';
import type { Publisher, StoredEvent } from '../../packages/wardbell/src/events/index.js';
import { Directory, NotificationService } from '../../packages/wardbell/src/notifications/index.js';
import { pushOutboxQueue } from '../../packages/wardbell/src/push/index.js';
import { Receipts, ReceiptStore, type ReceiptMark } from '../../packages/wardbell/src/receipts/index.js';
import type { Clock } from '../../packages/wardbell/src/shared/index.js';
import { openPostgres, openSqlite, type Db } from '../../packages/wardbell/src/store/index.js';
import { fmt, fmtInt } from '../sse/report.js';
import { machineBusy, pgCpuSampler } from './measure.js';

export interface ReceiptsBenchOptions {
  databaseUrl: string;
  /** postgres, sqlite */
  on: readonly string[];
  recipients: number;
  /** Broadcasts whose stream marks are written (first and second time). */
  repeats: number;
  /** Broadcasts whose recipients each report 'displayed' (and as many flushed alone). */
  reportRepeats: number;
  /** Reports in flight at once. */
  concurrency: number;
  reads: number;
  claims: number;
  /** One-recipient notifications through their receipts life. */
  singles: number;
  log: (msg: string) => void;
}

export interface ReceiptRow {
  database: 'postgresql' | 'sqlite';
  phase: string;
  /** What one unit of the per-unit figures is. */
  unit: string;
  units: number;
  /** What the wall-time median and p99 are of (the unit, or a round of them). */
  lapUnit: string;
  rowsWritten: number;
  wallSeconds: number;
  unitMsMedian: number | null;
  unitMsP99: number | null;
  /** PostgreSQL: its backends on the database plus its background processes; SQLite: this process. */
  dbCpuSeconds: number;
  dbUsPerUnit: number;
  dbUsPerRow: number | null;
  rowsPerDbCpuSecond: number | null;
  /** This process (the service's side: query building, the driver); on SQLite the database too. */
  processUsPerUnit: number;
  statementsPerUnit: number;
  receiptsUpdatedPerUnit: number;
  pgBackgroundCpuSeconds: number | null;
  otherDatabasesCpuSeconds: number | null;
  /** The whole PostgreSQL cluster's WAL over the phase, per row written. */
  walBytesPerRow: number | null;
  /** The benchmark database's own WAL records and their commits (pg_walinspect), per row written. */
  walBytesPerRowOwn: number | null;
  /** Of those, full-page images. */
  walFpiShareOwn: number | null;
  checkpoints: number | null;
  /** PostgreSQL CPU of the VACUUM (ANALYZE) of the receipts tables after a write phase, per row written. */
  vacuumPgUsPerRow: number | null;
  machineCores: number;
  loadAverage1m: number;
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const per = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
const TENANT = 'hosp-rc';
const SENDER = 'scheduler';
const ROUND = 20;

function quantile(xs: readonly number[], q: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

/** Real time plus jumps the benchmark makes (a second between rounds); timers never fire: rounds are run by hand. */
class BenchClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  setInterval(): number {
    return 0;
  }
  clearInterval(): void {}
}

/** Counts the statements a connection runs (each one transaction on PostgreSQL: none of these are in one). */
function counted(db: Db): { db: Db; statements: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (a) => a.node,
    transformResult: async (a) => {
      n++;
      return a.result;
    },
  };
  return { db: db.withPlugin(plugin), statements: () => n };
}

/** `receipts.updated` and the send's `notification` go nowhere (they would go to the Redis log); counted. */
function nullPublisher(): Publisher & { published: number } {
  let offset = 0;
  return {
    published: 0,
    async publish(tenantId, type, data, audience, personal): Promise<StoredEvent> {
      this.published++;
      offset++;
      return { id: `bench-${offset}`, tenantId, offset, type, data, audience, createdAt: Date.now(), personal };
    },
  };
}

interface Measured {
  wallSeconds: number;
  dbCpu: number;
  processCpu: number;
  statements: number;
  published: number;
  pgBackground: number | null;
  pgOther: number | null;
  walBytes: number | null;
  walOwn: { bytes: number; fpi: number } | null;
  checkpoints: number | null;
  machineCores: number;
}

interface Backend {
  database: ReceiptRow['database'];
  db: Db;
  /** The receipts' connection (counted). */
  rdb: Db;
  measure(fn: () => Promise<void>): Promise<Measured>;
  /** PostgreSQL: VACUUM (ANALYZE) of the receipts tables, its PostgreSQL CPU seconds. */
  vacuum(): Promise<number | null>;
  close(): Promise<void>;
}

const cpuOf = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

async function postgresBackend(url: string, publisher: { published: number }): Promise<Backend> {
  const name = `wardbell_cap_rc_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const poller = new pg.Client({ connectionString: u.toString() });
  await poller.connect();
  const pollerPid = Number((await poller.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid);
  const dbOid = Number((await poller.query<{ oid: string }>('select oid::text from pg_database where datname = current_database()')).rows[0]?.oid);
  const walinspect = await poller.query('create extension if not exists pg_walinspect').then(() => true, () => false);
  const db = openPostgres(u.toString());
  const c = counted(db);
  const exclude = new Set([pollerPid]);
  const lsn = async () => String((await poller.query<{ l: string }>('select pg_current_wal_lsn()::text as l')).rows[0]?.l);
  const checkpoints = async () => Number((await poller.query<{ n: string }>('select (checkpoints_timed + checkpoints_req)::text as n from pg_stat_bgwriter')).rows[0]?.n);
  const walOwn = async (a: string, b: string) => {
    if (!walinspect) return null;
    const lsnDiff = async (x: string, y: string) => Number((await poller.query<{ d: string }>('select pg_wal_lsn_diff($1, $2)::text as d', [x, y])).rows[0]?.d);
    if ((await lsnDiff(b, a)) <= 0) return { bytes: 0, fpi: 0 };
    // pg_walinspect reads only flushed WAL: wait for the WAL writer (every 200 ms) to pass the phase's end.
    for (let i = 0; i < 100; i++) {
      const flushed = String((await poller.query<{ l: string }>('select pg_current_wal_flush_lsn()::text as l')).rows[0]?.l);
      if ((await lsnDiff(flushed, b)) >= 0) break;
      await sleep(20);
    }
    // Records that touch the database's relations, and the commit (abort) records of their transactions.
    const r = await poller.query<{ bytes: string; fpi: string }>(
      `with r as (select xid, resource_manager, record_length, fpi_length, block_ref from pg_get_wal_records_info($1::pg_lsn, least($2::pg_lsn, pg_current_wal_flush_lsn()))),
         mine as (select distinct xid from r where block_ref like $3 and xid::text <> '0')
       select coalesce(sum(record_length), 0)::text as bytes, coalesce(sum(fpi_length), 0)::text as fpi from r
       where block_ref like $3 or (resource_manager = 'Transaction' and xid in (select xid from mine))`,
      [a, b, `%/${dbOid}/%`],
    );
    return { bytes: Number(r.rows[0]?.bytes), fpi: Number(r.rows[0]?.fpi) };
  };
  return {
    database: 'postgresql',
    db,
    rdb: c.db,
    async measure(fn) {
      const lsn0 = await lsn();
      const ck0 = await checkpoints();
      const s0 = c.statements();
      const p0 = publisher.published;
      const busy = machineBusy();
      const sampler = pgCpuSampler(name, exclude);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await fn();
      const wallSeconds = (performance.now() - t0) / 1000;
      const processCpu = cpuOf(process.cpuUsage(cpu0));
      const pgc = sampler.stop();
      const machineCores = busy();
      const statements = c.statements() - s0;
      const published = publisher.published - p0;
      const lsn1 = await lsn();
      const walBytes = Number((await poller.query<{ d: string }>('select pg_wal_lsn_diff($2, $1)::text as d', [lsn0, lsn1])).rows[0]?.d);
      return { wallSeconds, dbCpu: pgc.database + pgc.background, processCpu, statements, published, pgBackground: pgc.background, pgOther: pgc.other, walBytes, walOwn: await walOwn(lsn0, lsn1), checkpoints: (await checkpoints()) - ck0, machineCores };
    },
    async vacuum() {
      const sampler = pgCpuSampler(name, exclude);
      await sql`vacuum (analyze) notification_receipts, receipt_progress`.execute(db);
      const p = sampler.stop();
      return p.database + p.background;
    },
    async close() {
      await db.destroy();
      await poller.end().catch(() => {});
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

function sqliteBackend(publisher: { published: number }): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'wardbell-bench-receipts-'));
  const db = openSqlite(join(dir, 'wardbell.sqlite'));
  const c = counted(db);
  return {
    database: 'sqlite',
    db,
    rdb: c.db,
    async measure(fn) {
      const s0 = c.statements();
      const p0 = publisher.published;
      const busy = machineBusy();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await fn();
      const wallSeconds = (performance.now() - t0) / 1000;
      const processCpu = cpuOf(process.cpuUsage(cpu0));
      return { wallSeconds, dbCpu: processCpu, processCpu, statements: c.statements() - s0, published: publisher.published - p0, pgBackground: null, pgOther: null, walBytes: null, walOwn: null, checkpoints: null, machineCores: busy() };
    },
    async vacuum() {
      return null;
    },
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function rowOf(b: Backend, phase: string, unit: string, units: number, rowsWritten: number, m: Measured, laps: readonly number[], vacuumCpu: number | null = null, lapUnit = unit): ReceiptRow {
  const rows = rowsWritten > 0 ? rowsWritten : Number.NaN;
  return {
    database: b.database,
    phase,
    unit,
    units,
    lapUnit,
    rowsWritten,
    wallSeconds: r2(m.wallSeconds),
    unitMsMedian: laps.length ? r2(quantile(laps, 0.5) as number) : null,
    unitMsP99: laps.length ? r2(quantile(laps, 0.99) as number) : null,
    dbCpuSeconds: r2(m.dbCpu),
    dbUsPerUnit: r2(per(m.dbCpu * 1e6, units)),
    dbUsPerRow: rowsWritten > 0 ? r2(m.dbCpu * 1e6 / rows) : null,
    rowsPerDbCpuSecond: rowsWritten > 0 ? Math.round(per(rowsWritten, m.dbCpu)) : null,
    processUsPerUnit: r2(per(m.processCpu * 1e6, units)),
    statementsPerUnit: r2(per(m.statements, units)),
    receiptsUpdatedPerUnit: r2(per(m.published, units)),
    pgBackgroundCpuSeconds: m.pgBackground === null ? null : r2(m.pgBackground),
    otherDatabasesCpuSeconds: m.pgOther === null ? null : r2(m.pgOther),
    walBytesPerRow: m.walBytes === null || !(rowsWritten > 0) ? null : Math.round(m.walBytes / rows),
    walBytesPerRowOwn: m.walOwn === null || !(rowsWritten > 0) ? null : Math.round(m.walOwn.bytes / rows),
    walFpiShareOwn: m.walOwn === null || !(m.walOwn.bytes > 0) ? null : r2(m.walOwn.fpi / m.walOwn.bytes),
    checkpoints: m.checkpoints,
    vacuumPgUsPerRow: vacuumCpu === null || !(rowsWritten > 0) ? null : r2(vacuumCpu * 1e6 / rows),
    machineCores: r2(m.machineCores),
    loadAverage1m: r2(loadavg()[0] ?? Number.NaN),
  };
}

/** Runs `n` calls of `fn(i)` with `c` in flight; each call's wall ms in `laps`. */
async function inFlight(n: number, c: number, laps: number[], fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(c, n) }, async () => {
    for (let i = next++; i < n; i = next++) {
      const t = performance.now();
      await fn(i);
      laps.push(performance.now() - t);
    }
  }));
}

async function onBackend(b: Backend, o: ReceiptsBenchOptions, clock: BenchClock, publisher: ReturnType<typeof nullPublisher>): Promise<ReceiptRow[]> {
  const rows: ReceiptRow[] = [];
  const N = o.recipients;
  const say = (m: string) => o.log(`receipts on ${b.database}: ${m}`);
  await migrateStore(b.db);
  const directory = new Directory(b.db, () => clock.now());
  const notifications = new NotificationService({ db: b.db, clock, events: publisher, directory, pushQueue: pushOutboxQueue });
  const members = Array.from({ length: N }, (_, i) => ({ userId: `nurse-${String(i).padStart(5, '0')}`, roles: ['nurse'], wards: [`w${i % 20}`] }));
  await directory.upsert(TENANT, members);
  const identities: Identity[] = members.map((m) => ({ tenantId: TENANT, userId: m.userId, roles: m.roles, wards: m.wards }));
  const send = async (to: { tenant: true } | { users: string[] }, i: number) =>
    (await notifications.send({ tenantId: TENANT, senderId: SENDER, type: 'schedule_updated', priority: 'high', title: `Rota for week ${i}: changes on 7 West`, body: 'Two night shifts moved. Open the rota to see yours and confirm by Friday.', data: { scheduleId: `s-${i}` }, to })).notification.id;
  const broadcasts = 1 + Math.max(o.repeats, 2 * o.reportRepeats);
  say(`sending ${broadcasts} broadcasts to ${fmtInt(N)} and ${fmtInt(2 * o.singles)} one-recipient notifications`);
  const ids: string[] = [];
  for (let i = 0; i < broadcasts; i++) ids.push(await send({ tenant: true }, i));
  const singles: string[] = [];
  for (let i = 0; i < 2 * o.singles; i++) singles.push(await send({ users: [members[i % N]!.userId] }, i));
  if (b.database === 'postgresql') await sql`vacuum (analyze)`.execute(b.db);
  const [warm, ...bcast] = ids as [string, ...string[]];
  const streamed = bcast.slice(0, o.repeats);

  // As the service has them: the first-reached observer on, live `receipts.updated` off for the
  // broadcast phases (their publication is measured apart: claimPublication and the summary).
  const receipts = new Receipts({ db: b.rdb, clock, events: publisher, live: false, onFirst: () => {}, onError: (err) => say(`round failed: ${String(err)}`) });
  const store = new ReceiptStore(b.rdb);
  const marksOf = (id: string, kind: 'streamed' | 'displayed', at: number): ReceiptMark[] =>
    members.map((m, i) => ({ tenantId: TENANT, notificationId: id, userId: m.userId, kind, at: at + (i % 200), ...(kind === 'displayed' ? { detail: 'page' } : {}) }));
  /** Buffers the marks (the last one starts the round, as in the service) and waits for the round. */
  const flush = async (marks: readonly ReceiptMark[]) => {
    for (const m of marks) receipts.mark(m);
    await receipts.tick();
  };
  // Warm-up: connections, statements, JIT, on a notification of its own.
  await flush(marksOf(warm, 'streamed', clock.now()));
  await flush(marksOf(warm, 'displayed', clock.now()));
  for (let i = 0; i < 5; i++) await Promise.all([store.summary(TENANT, warm), store.recipients(TENANT, warm, { limit: 200 })]);
  for (let i = 0; i < 50; i++) await receipts.report(identities[i]!, [{ id: warm, kind: 'displayed', via: 'page' }], null);
  await receipts.tick();

  const firstAt = new Map(streamed.map((id) => [id, clock.now()]));
  const flushes = async (label: string, unit: string, notifs: readonly string[], marks: (id: string) => ReceiptMark[]) => {
    say(label);
    const laps: number[] = [];
    const m = await b.measure(async () => {
      for (const id of notifs) {
        const ms = marks(id);
        const t = performance.now();
        await flush(ms);
        laps.push(performance.now() - t);
      }
    });
    rows.push(rowOf(b, label, unit, notifs.length, notifs.length * N, m, laps, await b.vacuum()));
  };
  await flushes(`stream marks of a broadcast to ${fmtInt(N)}, first written`, `flush of ${fmtInt(N)} marks`, streamed, (id) => marksOf(id, 'streamed', firstAt.get(id)!));
  await flushes(`the same stream marks again (conflict: the earliest time stays)`, `flush of ${fmtInt(N)} marks`, streamed, (id) => marksOf(id, 'streamed', firstAt.get(id)! + 50));

  const reported = streamed.slice(0, o.reportRepeats);
  say(`'displayed' reports, ${fmtInt(N)} per notification`);
  {
    const laps: number[] = [];
    let recorded = 0;
    const m = await b.measure(async () => {
      for (const id of reported) {
        await inFlight(N, o.concurrency, laps, async (i) => {
          const r = await receipts.report(identities[i]!, [{ id, kind: 'displayed', via: 'page' }], null);
          recorded += r.recorded;
        });
        await receipts.tick(); // what the last reports buffered (their 5,000th started the round)
      }
    });
    if (recorded !== reported.length * N) throw new Error(`receipts: ${recorded} of ${reported.length * N} reports recorded`);
    rows.push(rowOf(b, `'displayed' reports: Receipts.report per recipient (${o.concurrency} in flight), their flush included`, 'report', reported.length * N, reported.length * N, m, laps, await b.vacuum()));
  }
  const displayedAlone = streamed.slice(o.reportRepeats, 2 * o.reportRepeats);
  await flushes(`'displayed' marks of ${fmtInt(N)} flushed alone (rows exist: an update each)`, `flush of ${fmtInt(N)} marks`, displayedAlone, (id) => marksOf(id, 'displayed', clock.now()));

  // Reads.
  const full = reported[0] ?? streamed[0]!;
  const middle = members[Math.floor(N / 2)]!.userId;
  const reads: Array<[string, () => Promise<unknown>]> = [
    [`summary of a ${fmtInt(N)}-recipient notification`, () => store.summary(TENANT, full)],
    ['a page of 200 recipients, the first', () => store.recipients(TENANT, full, { limit: 200 })],
    ['a page of 200 recipients, after a cursor half-way', () => store.recipients(TENANT, full, { limit: 200, after: middle })],
  ];
  for (const [label, read] of reads) {
    say(`read: ${label}`);
    const laps: number[] = [];
    const m = await b.measure(async () => {
      for (let i = 0; i < o.reads; i++) {
        const t = performance.now();
        await read();
        laps.push(performance.now() - t);
      }
    });
    rows.push(rowOf(b, `read: ${label}`, 'read', o.reads, 0, m, laps));
  }

  // The publication claim, rotating over the broadcasts (each has its receipt_progress row).
  const claimBase = clock.now() + 10_000_000;
  const lastTaken = new Map<string, number>();
  for (const taken of [true, false]) {
    say(`claimPublication, ${taken ? 'taken' : 'refused'}`);
    const laps: number[] = [];
    let outcomes = 0;
    const m = await b.measure(async () => {
      for (let i = 0; i < o.claims; i++) {
        const id = streamed[i % streamed.length]!;
        // Taken: each call 1,001 ms after the notification's last; refused: half a second after the last taken.
        const now = taken ? claimBase + Math.floor(i / streamed.length) * 1001 : (lastTaken.get(id) ?? claimBase) + 500;
        const t = performance.now();
        const r = await store.claimPublication(TENANT, id, now, 1000);
        laps.push(performance.now() - t);
        if (taken) lastTaken.set(id, now);
        if ((r === true) === taken) outcomes++;
      }
    });
    if (outcomes !== o.claims) throw new Error(`receipts: claimPublication ${taken ? 'taken' : 'refused'} ${outcomes} of ${o.claims} times`);
    rows.push(rowOf(b, `claimPublication, ${taken ? 'taken (interval passed: an update)' : 'refused (within the interval: the upsert and a read)'}`, 'call', o.claims, taken ? o.claims : 0, m, laps));
  }

  // One-recipient notifications: their whole receipts life, as the service runs it, with
  // receipts.updated on (the default) and off (WARDBELL_RECEIPT_EVENTS=off), each on notifications of its own.
  if (singles.length) {
    for (const liveOn of [true, false]) {
      const these = singles.slice(liveOn ? 0 : o.singles, liveOn ? o.singles : 2 * o.singles);
      let displayed = 0;
      say(`${fmtInt(these.length)} one-recipient notifications, receipts life in rounds of ${ROUND}, receipts.updated ${liveOn ? 'on' : 'off'}`);
      const live = new Receipts({ db: b.rdb, clock, events: publisher, live: liveOn, onFirst: () => {}, onError: (err) => say(`round failed: ${String(err)}`) });
      const first = liveOn ? 0 : o.singles;
      const userOf = (j: number) => identities[(first + j) % N]!; // whom singles[first + j] was sent to
      const laps: number[] = [];
      const m = await b.measure(async () => {
        for (let i = 0; i < these.length; i += ROUND) {
          const t = performance.now();
          for (let j = i; j < Math.min(i + ROUND, these.length); j++) live.mark({ tenantId: TENANT, notificationId: these[j]!, userId: userOf(j).userId, kind: 'streamed', at: clock.now() });
          await live.tick();
          laps.push(performance.now() - t);
        }
        clock.offset += 1100; // a second later the pages display them
        for (let i = 0; i < these.length; i += ROUND) {
          const t = performance.now();
          for (let j = i; j < Math.min(i + ROUND, these.length); j++) displayed += (await live.report(userOf(j), [{ id: these[j]!, kind: 'displayed', via: 'page' }], null)).recorded;
          await live.tick();
          laps.push(performance.now() - t);
        }
        clock.offset += 1100;
        await live.close(); // publications still due
      });
      if (displayed !== these.length) throw new Error(`receipts: ${displayed} of ${these.length} one-recipient reports recorded`);
      rows.push(rowOf(b, `one-recipient notifications: streamed, round, displayed report, round (rounds of ${ROUND}, receipts.updated ${liveOn ? 'on' : 'off'})`, 'notification', these.length, 2 * these.length, m, laps, null, `round of ${ROUND}`));
    }
    // The summary a one-recipient notification's receipts.updated carries.
    const laps1: number[] = [];
    const m1 = await b.measure(async () => {
      for (let i = 0; i < o.reads; i++) {
        const t = performance.now();
        await store.summary(TENANT, singles[i % singles.length]!);
        laps1.push(performance.now() - t);
      }
    });
    rows.push(rowOf(b, 'read: summary of a one-recipient notification', 'read', o.reads, 0, m1, laps1));
  }
  await receipts.close();
  return rows;
}

export async function sectionReceipts(o: ReceiptsBenchOptions): Promise<ReceiptRow[]> {
  const rows: ReceiptRow[] = [];
  for (const on of o.on) {
    const clock = new BenchClock();
    const publisher = nullPublisher();
    const b = on === 'postgres' ? await postgresBackend(o.databaseUrl, publisher) : on === 'sqlite' ? sqliteBackend(publisher) : null;
    if (!b) throw new Error(`receipts: unknown database ${on} (postgres, sqlite)`);
    try {
      rows.push(...(await onBackend(b, o, clock, publisher)));
    } finally {
      await b.close();
    }
  }
  return rows;
}

/** The figures for bench:capacity's summary table. */
export function receiptsSummary(rows: readonly ReceiptRow[]): Array<{ figure: string; value: number | null; unit: string }> {
  const out: Array<{ figure: string; value: number | null; unit: string }> = [];
  for (const r of rows) {
    const db = r.database === 'postgresql' ? 'PostgreSQL' : 'SQLite (process)';
    if (r.rowsWritten > 0 && r.unit.startsWith('flush')) out.push({ figure: `receipts, ${r.database}, ${r.phase}: rows per ${db} CPU-second`, value: r.rowsPerDbCpuSecond, unit: 'rows/CPU-s' });
    else out.push({ figure: `receipts, ${r.database}, ${r.phase}: ${db} CPU per ${r.unit}`, value: r.dbUsPerUnit, unit: 'us' });
    out.push({ figure: `  wall per ${r.lapUnit}, median (p99 ${fmt(r.unitMsP99, 2)} ms)`, value: r.unitMsMedian, unit: 'ms' });
    if (r.walBytesPerRowOwn !== null && r.rowsWritten > 0) out.push({ figure: `  WAL per row, the database's own (cluster: ${fmtInt(r.walBytesPerRow)})`, value: r.walBytesPerRowOwn, unit: 'bytes' });
  }
  return out;
}

/** The table bench:capacity prints. */
export function receiptsBlock(rows: readonly ReceiptRow[]): { title: string; head: string[]; rows: string[][]; left: number } {
  return {
    title: 'Delivery receipts (Receipts / ReceiptStore in this process, a fresh PostgreSQL database and a SQLite file; "DB CPU" is PostgreSQL\'s backends + background processes, or on SQLite this process; WAL "own" is the database\'s records with their commits, via pg_walinspect)',
    head: ['database', 'phase', 'unit', 'units', 'rows written', 'wall s', 'ms p50', 'ms p99', 'of', 'DB CPU s', 'DB us/unit', 'rows/DB CPU-s', 'process us/unit', 'statements/unit', 'updated events/unit', 'WAL bytes/row (own)', 'FPI share', 'vacuum us/row', 'other DBs CPU s', 'checkpoints', 'machine cores', 'load 1m'],
    rows: rows.map((r) => [
      r.database,
      r.phase,
      r.unit,
      fmtInt(r.units),
      fmtInt(r.rowsWritten),
      fmt(r.wallSeconds, 2),
      fmt(r.unitMsMedian, 2),
      fmt(r.unitMsP99, 2),
      r.lapUnit,
      fmt(r.dbCpuSeconds, 2),
      fmt(r.dbUsPerUnit, 1),
      fmtInt(r.rowsPerDbCpuSecond),
      fmt(r.processUsPerUnit, 1),
      fmt(r.statementsPerUnit, 2),
      fmt(r.receiptsUpdatedPerUnit, 2),
      r.walBytesPerRow === null ? '-' : `${fmtInt(r.walBytesPerRow)} (${fmtInt(r.walBytesPerRowOwn)})`,
      fmt(r.walFpiShareOwn, 2),
      fmt(r.vacuumPgUsPerRow, 1),
      fmt(r.otherDatabasesCpuSeconds, 2),
      r.checkpoints === null ? '-' : String(r.checkpoints),
      fmt(r.machineCores, 2),
      fmt(r.loadAverage1m, 2),
    ]),
    left: 3,
  };
}
