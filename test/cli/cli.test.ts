import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../packages/wardbell/src/auth/index.js';
import { parseArgs, runCli, UsageError } from '../../packages/wardbell/src/cli/index.js';
import { VERSION } from '../../packages/wardbell/src/version.js';

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'wardbell-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs one command in this process; its exit code and what it wrote. */
async function cli(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { NODE_ENV: 'development', LOG_LEVEL: 'silent', ...env }, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('the command line (pure)', () => {
  it('splits words from flags, with values given both ways, repeated flags kept', () => {
    const a = parseArgs(['api-key', 'create', '--tenant', 'h1', '--scope=publish', '--scope', 'send', '--json']);
    expect(a.words).toEqual(['api-key', 'create']);
    expect(a.flags.get('tenant')).toEqual(['h1']);
    expect(a.flags.get('scope')).toEqual(['publish', 'send']);
    expect(a.flags.get('json')).toEqual(['true']);
    expect(() => parseArgs(['token', '--user', 'kim', 'stray', 'word'])).toThrow(UsageError);
  });
});

describe('wardbell <command>', () => {
  it('reports the version its package says', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../packages/wardbell/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('prints its usage for help, and refuses no command or an unknown one with 2', async () => {
    expect(await cli(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('usage: wardbell <command>') });
    expect((await cli([])).code).toBe(2);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
    expect((await cli(['migrate', '--bogus'])).err).toContain('unknown option --bogus');
  });

  it('migrates the configured store, then says it is up to date', async () => {
    const dir = scratch();
    const first = await cli(['migrate'], { WARDBELL_DATA_DIR: dir });
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^sqlite: ran \d+ migration\(s\):\n  0001_event_log\n/);
    const again = await cli(['migrate'], { WARDBELL_DATA_DIR: dir });
    expect(again).toMatchObject({ code: 0, out: 'sqlite: the schema is up to date\n' });
  });

  it('signs a development token the service accepts, with the identity asked for', async () => {
    const dir = scratch();
    const made = await cli(['token', '--tenant', 'h1', '--user', 'kim', '--roles', 'nurse,charge', '--wards', '3', '--wards', '4'], { WARDBELL_DATA_DIR: dir });
    expect(made.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const secret = new TextEncoder().encode(readFileSync(join(dir, 'dev-jwt-secret'), 'utf8').trim());
    const id = await verifyToken(made.out.trim(), { algorithm: 'HS256', key: secret });
    expect(id).toMatchObject({ tenantId: 'h1', userId: 'kim', roles: ['nurse', 'charge'], wards: ['3', '4'] });
    // With a configured secret, that secret signs.
    const configured = 'c'.repeat(40);
    const withSecret = await cli(['token', '--tenant', 'h2', '--user', 'lee'], { WARDBELL_DATA_DIR: dir, WARDBELL_JWT_SECRET: configured });
    expect((await verifyToken(withSecret.out.trim(), { algorithm: 'HS256', key: new TextEncoder().encode(configured) })).tenantId).toBe('h2');
  });

  it('refuses tokens in production, bad ids and missing flags', async () => {
    const dir = scratch();
    const prod = await cli(['token', '--tenant', 'h1', '--user', 'kim'], { NODE_ENV: 'production', WARDBELL_DATA_DIR: dir, WARDBELL_JWT_SECRET: 'p'.repeat(40) });
    expect(prod.code).toBe(2);
    expect(prod.err).toContain('for development');
    expect((await cli(['token', '--tenant', 'h 1', '--user', 'kim'], { WARDBELL_DATA_DIR: dir })).err).toContain('--tenant: "h 1" is not a valid id');
    expect((await cli(['token', '--user', 'kim'], { WARDBELL_DATA_DIR: dir })).err).toContain('--tenant <value> is required');
    expect((await cli(['token', '--tenant', 'h1', '--user', 'kim', '--ttl', '0'], { WARDBELL_DATA_DIR: dir })).code).toBe(2);
  });

  it('prints VAPID keys as environment lines, or keeps them in the data directory', async () => {
    const lines = (await cli(['vapid-keys'])).out.trim().split('\n');
    expect(lines.map((l) => l.split('=')[0])).toEqual(['WARDBELL_VAPID_PUBLIC_KEY', 'WARDBELL_VAPID_PRIVATE_KEY', 'WARDBELL_PUSH_KEY_ENCRYPTION_KEY']);
    expect(lines[0]).toMatch(/^WARDBELL_VAPID_PUBLIC_KEY=B[A-Za-z0-9_-]{86}$/);
    const dir = scratch();
    const a = await cli(['vapid-keys', '--data-dir', dir]);
    const b = await cli(['vapid-keys', '--data-dir', dir]);
    expect(a.out).toContain('(generated)');
    expect(b.out).toContain('(file)');
    expect(b.out.split('\n')[0]?.split(': ')[1]).toBe(a.out.split('\n')[0]?.split(': ')[1]);
  });

  it('creates API keys printed once, lists them without the key, and revokes them', async () => {
    const dir = scratch();
    const env = { WARDBELL_DATA_DIR: dir };
    const made = await cli(['api-key', 'create', '--tenant', 'h1', '--scope', 'publish,send', '--name', 'scheduler', '--json'], env);
    expect(made.code).toBe(0);
    const { id, key } = JSON.parse(made.out) as { id: string; key: string };
    expect(key).toMatch(new RegExp(`^wbk_${id}_`));
    const plain = await cli(['api-key', 'create', '--platform', '--scope', 'admin'], env);
    expect(plain.out).toMatch(/^wbk_[a-z2-7]{16}_\S{43}\n$/);
    expect(plain.err).toContain('platform; admin');
    const list = await cli(['api-key', 'list', '--json'], env);
    expect(list.out).not.toContain(key);
    const rows = JSON.parse(list.out) as Array<{ id: string; tenantId: string | null; scopes: string[]; revokedAt: string | null }>;
    expect(rows.find((r) => r.id === id)).toMatchObject({ tenantId: 'h1', scopes: ['publish', 'send'], revokedAt: null });
    expect((JSON.parse((await cli(['api-key', 'list', '--platform', '--json'], env)).out) as unknown[]).length).toBe(1);
    expect((await cli(['api-key', 'revoke', id], env)).out).toContain(`revoked ${id} (h1)`);
    expect((await cli(['api-key', 'list', '--tenant', 'h1'], env)).out).toMatch(new RegExp(`${id}  h1  publish,send  revoked `));
    expect((await cli(['api-key', 'revoke', 'aaaaaaaaaaaaaaaa'], env)).code).toBe(2);
    expect((await cli(['api-key', 'create', '--tenant', 'h1', '--scope', 'root'], env)).err).toContain('unknown scope root');
    expect((await cli(['api-key', 'create', '--scope', 'send'], env)).err).toContain('--tenant <id>');
    expect((await cli(['api-key', 'create', '--tenant', 'h1', '--platform', '--scope', 'send'], env)).err).toContain('not both');
  });

  it('backs the embedded store up online and restores it, refusing what is not a Wardbell store', async () => {
    const dir = scratch();
    const env = { WARDBELL_DATA_DIR: dir };
    await cli(['migrate'], env);
    const store = join(dir, 'wardbell.sqlite');
    const put = (n: string) => {
      const db = new Database(store);
      db.prepare('CREATE TABLE IF NOT EXISTS probe (n TEXT)').run();
      db.prepare('DELETE FROM probe').run();
      db.prepare('INSERT INTO probe VALUES (?)').run(n);
      db.close();
    };
    const read = () => {
      const db = new Database(store, { readonly: true });
      const row = db.prepare('SELECT n FROM probe').get() as { n: string };
      db.close();
      return row.n;
    };
    put('before');
    const file = join(scratch(), 'copy.sqlite');
    const made = await cli(['backup', file], env);
    expect(made.code).toBe(0);
    expect((await cli(['backup', file], env)).err).toContain('exists; choose a new file');
    put('after');
    expect((await cli(['restore', file], env)).err).toContain('add --force');
    expect(await cli(['restore', file, '--force'], env)).toMatchObject({ code: 0 });
    expect(read()).toBe('before');

    const junk = join(scratch(), 'junk.sqlite');
    writeFileSync(junk, 'not a database at all, just text'.repeat(200));
    expect((await cli(['restore', junk, '--force'], env)).code).toBe(2);
    const foreign = join(scratch(), 'foreign.sqlite');
    new Database(foreign).exec('CREATE TABLE t (x)');
    expect((await cli(['restore', foreign, '--force'], env)).err).toContain('is not a Wardbell store');
    expect(read()).toBe('before');
    expect((await cli(['backup', join(dir, 'x.sqlite')], { ...env, DATABASE_URL: 'postgres://127.0.0.1:1/x' })).err).toContain('pg_dump');
  });
});
