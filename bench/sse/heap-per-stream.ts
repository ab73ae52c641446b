/**
 * What one idle stream costs in the JS heap, by kind of object: `npx tsx bench/sse/heap-per-stream.ts
 * [--streams 3000] [--users one|shared]`. Starts wardbell (createWardbell, SQLite log) in a child
 * process, takes a heap snapshot with no stream open (after a warm-up) and another with N idle
 * streams open (raw sockets, every stream its own user and token, or all of one user), and prints
 * the difference per stream: bytes and count by node type and constructor, largest first. With
 * `--by retainer` each kind is split by what first holds it (`kind <- holder.edge`), to find who
 * keeps a stream's objects alive. The snapshots are written to a scratch directory and removed.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { signDevToken } from '../../packages/wardbell/src/auth/index.js';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
type Msg = { url?: string; file?: string; ok?: boolean };

async function server(dir: string) {
  const { createWardbell } = await import('../../packages/wardbell/src/compose.js');
  const { loadConfig } = await import('../../packages/wardbell/src/config/index.js');
  const wb = await createWardbell(
    loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', WARDBELL_DATA_DIR: dir, WARDBELL_JWT_SECRET: SECRET, LOG_LEVEL: 'silent', WARDBELL_MAX_CONNECTIONS_PER_USER: '10000', WARDBELL_RATE_LIMITS: 'off' }),
  );
  const url = await wb.listen();
  process.on('message', (m: string) => {
    if (m === 'publish') void wb.events.broadcast('h1', 'schedule.updated', { warm: true }).then(() => process.send?.({ ok: true }));
    if (m === 'snapshot') process.send?.({ file: writeHeapSnapshot(join(dir, `${Date.now()}.heapsnapshot`)) });
  });
  process.send?.({ url });
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Bytes and count per "type:constructor" of a heap snapshot (with `byRetainer`, per "kind <- holder.edge"). */
function tally(file: string, byRetainer: boolean): Map<string, [number, number]> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const [ti, ni, si, ei] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size'), f.indexOf('edge_count')];
  const types = s.snapshot.meta.node_types[0];
  const kind = (i: number) => {
    const type = types[s.nodes[i + ti] as number] as string;
    const named = type === 'object' || type === 'closure' || type === 'native' || type === 'synthetic';
    return named ? `${type}:${(s.strings[s.nodes[i + ni] as number] as string).slice(0, 50)}` : type;
  };
  // The first strong retainer of each node, as "holder kind.edge name".
  const holder = new Map<number, string>();
  if (byRetainer) {
    const ef = s.snapshot.meta.edge_fields;
    const [eti, eni, eto] = [ef.indexOf('type'), ef.indexOf('name_or_index'), ef.indexOf('to_node')];
    const etypes = s.snapshot.meta.edge_types[0];
    let e = 0;
    for (let i = 0; i < s.nodes.length; i += f.length) {
      const count = s.nodes[i + ei] as number;
      for (let k = 0; k < count; k++, e += ef.length) {
        const et = etypes[s.edges[e + eti] as number] as string;
        const to = s.edges[e + eto] as number;
        if (et === 'weak' || holder.has(to)) continue;
        const name = et === 'element' || et === 'hidden' ? `[${et}]` : (s.strings[s.edges[e + eni] as number] as string).slice(0, 30);
        holder.set(to, `${kind(i)}.${name}`);
      }
    }
  }
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const key = byRetainer ? `${kind(i)} <- ${holder.get(i) ?? '?'}` : kind(i);
    const e = out.get(key) ?? [0, 0];
    e[0] += s.nodes[i + si] as number;
    e[1]++;
    out.set(key, e);
  }
  return out;
}

async function main() {
  const arg = (k: string, d: string) => {
    const i = process.argv.indexOf(`--${k}`);
    return i > 0 ? (process.argv[i + 1] as string) : d;
  };
  const n = Number(arg('streams', '3000'));
  const oneUserEach = arg('users', 'one') === 'one';
  const byRetainer = arg('by', 'kind') === 'retainer';
  const dir = mkdtempSync(join(tmpdir(), 'wardbell-heap-'));
  const child = fork(fileURLToPath(import.meta.url), ['server', dir], { execArgv: ['--import', 'tsx'] });
  const next = () => new Promise<Msg>((r) => child.once('message', (m: Msg) => r(m)));
  const ask = (m: string) => (child.send(m), next());
  try {
    const { url } = await next();
    const port = Number(new URL(url as string).port);
    const secret = new TextEncoder().encode(SECRET);
    const open = async (count: number, first: number): Promise<Socket[]> => {
      const socks: Socket[] = [];
      for (let b = 0; b < count; b += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, count - b) }, async (_, k) => {
            const user = oneUserEach ? `u${first + b + k}` : `u${first}`;
            const token = await signDevToken({ tenantId: 'h1', userId: user, roles: ['nurse'], wards: ['3'] }, secret, 3600);
            const s = connect(port, '127.0.0.1');
            socks.push(s);
            s.write(`GET /api/sse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
            await new Promise<void>((resolve, reject) => {
              let text = '';
              s.on('data', (d: Buffer) => ((text += d.toString('latin1')), text.includes('\nid: ') && resolve()));
              s.once('error', reject);
            });
          }),
        );
      }
      return socks;
    };
    const warm = await open(100, 1_000_000);
    await ask('publish');
    for (const s of warm) s.destroy();
    await new Promise((r) => setTimeout(r, 500));
    const before = tally((await ask('snapshot')).file as string, byRetainer);
    await open(n, 0);
    const after = tally((await ask('snapshot')).file as string, byRetainer);
    let total = 0;
    const rows: Array<[string, number, number]> = [];
    for (const [k, [bytes, count]] of after) {
      const [b0, c0] = before.get(k) ?? [0, 0];
      total += bytes - b0;
      if (Math.abs(bytes - b0) >= n * 16) rows.push([k, (bytes - b0) / n, (count - c0) / n]);
    }
    rows.sort((a, b) => b[1] - a[1]);
    console.log(`${n} idle streams, ${oneUserEach ? 'one user each' : 'one user'}: ${(total / n).toFixed(0)} bytes of JS heap per stream`);
    console.log('bytes/stream  objects/stream  type:constructor');
    for (const [k, b, c] of rows) console.log(`${b.toFixed(0).padStart(12)}  ${c.toFixed(2).padStart(14)}  ${k}`);
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'server') void server(process.argv[3] as string);
else main().then(() => process.exit(0), (err: unknown) => (console.error(err), process.exit(1)));
