/** Options of `npm run bench:sse` (flags, or env BENCH_SSE_<NAME>); documented in bench/sse.ts. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_KINDS = ['raw', 'bare', 'wardbell'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];
/** How streams are spread over users: one stream per user, one to three per user, or --users users. */
export const LOAD_KINDS = ['one', 'mixed', 'shared'] as const;
export type LoadKind = (typeof LOAD_KINDS)[number];
/** How events are published: in the server process, or by a publisher process through POST /api/events. */
export const PUBLISH_MODES = ['inproc', 'http'] as const;
export type PublishMode = (typeof PUBLISH_MODES)[number];

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

export interface Options {
  sizes: number[];
  servers: ServerKind[];
  loads: LoadKind[];
  publish: PublishMode[];
  durationMs: number;
  rate: number;
  burst: number;
  repeat: number;
  loadgens: number;
  napMs: number;
  batch: number;
  users: number;
  warmupMs: number;
  quietWaitS: number;
  quietBudgetS: number;
  redo: number;
  maxMinutes: number;
  wardbellSrc: string | undefined;
  out: string;
  markdown: boolean;
  profile: boolean;
  quick: boolean;
}

/** A comma-separated list of names out of `allowed`, duplicates removed, order kept. */
function names<T extends string>(flag: string, raw: string, allowed: readonly T[]): T[] {
  const list = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  for (const s of list) if (!(allowed as readonly string[]).includes(s)) throw new Error(`--${flag}: one or more of ${allowed.join(', ')} (got ${s})`);
  if (list.length === 0) throw new Error(`--${flag}: at least one of ${allowed.join(', ')}`);
  return list as T[];
}

export function parseOptions(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) flags.set(k, inline);
    else if (next !== undefined && !next.startsWith('--')) {
      flags.set(k, next);
      i++;
    } else flags.set(k, 'true');
  }
  const get = (k: string) => flags.get(k) ?? process.env[`BENCH_SSE_${k.toUpperCase().replace(/-/g, '_')}`];
  const quick = get('quick') === 'true' || get('quick') === '1';
  const num = (k: string, def: number) => {
    const v = get(k);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} must be a non-negative number (got ${v})`);
    return n;
  };
  const sizes = (get('sizes') ?? (quick ? '1000' : '1000,10000')).split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 19_000)) throw new Error('--sizes: integers between 1 and 19000');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return {
    sizes,
    servers: names('servers', get('servers') ?? 'raw,bare,wardbell', SERVER_KINDS),
    loads: names('loads', get('loads') ?? (quick ? 'one' : 'one,mixed'), LOAD_KINDS),
    publish: names('publish', get('publish') ?? 'inproc,http', PUBLISH_MODES),
    durationMs: num('duration', quick ? 1500 : 4000),
    rate: num('rate', 0),
    burst: Math.max(1, Math.round(num('burst', quick ? 10 : 20))),
    repeat: Math.max(1, Math.round(num('repeat', quick ? 1 : 3))),
    loadgens: Math.max(1, Math.round(num('loadgens', 1))),
    napMs: num('nap', 1),
    batch: Math.max(1, Math.round(num('batch', 500))),
    users: Math.max(1, Math.round(num('users', 200))),
    warmupMs: num('warmup', quick ? 200 : 500),
    quietWaitS: num('quiet-wait', 20),
    quietBudgetS: num('quiet-budget', 120),
    redo: Math.round(num('redo', 6)),
    maxMinutes: num('max-minutes', 25),
    wardbellSrc: get('wardbell-src') === undefined ? undefined : resolve(get('wardbell-src') as string),
    out: get('out') ?? join(resultsDir, `sse-${stamp}${quick ? '-quick' : ''}.json`),
    markdown: get('markdown') === 'true' || get('markdown') === '1',
    profile: get('profile') === 'true' || get('profile') === '1',
    quick,
  };
}
