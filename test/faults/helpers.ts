import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { signDevToken, type Identity } from '../../packages/wardbell/src/auth/index.js';
import { eventually } from '../helpers/eventually.js';
import { parseBody, type ApiBody } from '../helpers/api-body.js';

const run = promisify(execFile);

export const FAULT_SECRET = 'fault-tests-secret-0123456789abcdefghijkl';

export function token(id: Partial<Identity> & { tenantId: string; userId: string }, ttlS = 900): Promise<string> {
  return signDevToken({ roles: [], wards: [], ...id }, new TextEncoder().encode(FAULT_SECRET), ttlS);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  json: ApiBody;
  ms: number;
}

/**
 * One request with a deadline: an answer, or an `Error` when the connection failed or the deadline
 * passed (`hung: true`). Never throws.
 */
export async function call(
  url: string,
  opts: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; deadlineMs?: number } = {},
): Promise<Answer | { error: Error; hung: boolean; ms: number }> {
  const started = Date.now();
  const deadline = opts.deadlineMs ?? 10_000;
  try {
    const res = await fetch(url, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      signal: AbortSignal.timeout(deadline),
    });
    return { status: res.status, headers: res.headers, json: parseBody(await res.text()), ms: Date.now() - started };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { error: e, hung: e.name === 'TimeoutError', ms: Date.now() - started };
  }
}

export const isAnswer = (r: Awaited<ReturnType<typeof call>>): r is Answer => 'status' in r;

/** The newest PostgreSQL server binaries of this machine (Debian layout), or null. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/**
 * A PostgreSQL server of the test's own: a fresh cluster in a temp dir, on a free loopback port,
 * its unix socket in the same dir. It may be stopped and started again on the same port and data
 * without touching the machine's shared server. The server refuses to run as root, so as root it
 * runs as the `postgres` OS user (which then owns the temp dir).
 */
export class PrivatePostgres {
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  private constructor(
    private readonly bin: string,
    readonly port: number,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'wardbell-pg-'));
    this.dataDir = join(this.dir, 'data');
    this.logFile = join(this.dir, 'server.log');
  }

  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(bin: string): Promise<PrivatePostgres> {
    const p = new PrivatePostgres(bin, await freePort());
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(p.dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await p.exec('initdb', ['-D', p.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await p.start();
    return p;
  }

  private async exec(tool: string, args: string[]): Promise<string> {
    const cmd = join(this.bin, tool);
    const asRoot = process.getuid?.() === 0;
    const { stdout } = await run(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { timeout: 30_000 });
    return stdout;
  }

  /** Starts the server on its port and waits until it accepts connections. */
  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=50`;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-o', opts, '-l', this.logFile, '-w', '-t', '30', 'start']);
    await eventually(
      async () => {
        const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
        try {
          await c.connect();
          await c.query('select 1');
          return true;
        } finally {
          await c.end().catch(() => {});
        }
      },
      { timeout: 15_000, message: 'the private PostgreSQL to accept connections' },
    );
  }

  /**
   * Stops the server: `fast` ends every session and checkpoints; `immediate` is a crash (no
   * checkpoint, the next start replays the WAL).
   */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
  }

  /** Whether the server is running (`pg_ctl status`). */
  async isUp(): Promise<boolean> {
    return this.exec('pg_ctl', ['-D', this.dataDir, 'status']).then(
      () => true,
      () => false,
    );
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
