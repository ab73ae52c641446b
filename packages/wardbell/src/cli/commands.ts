import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { loadOrCreateDevSecret, signDevToken, IdSchema } from '../auth/index.js';
import { migrateStore, openStore, sqlitePathOf } from '../compose.js';
import type { Config } from '../config/index.js';
import { generateVapidKeys, loadOrCreatePushKeys } from '../push/index.js';
import { flagList, flagValue, hasFlag, onlyFlags, requiredFlag, UsageError, type ParsedArgs } from './args.js';

/** What a command writes: its result on stdout, diagnostics on stderr. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const quietLogger = () => pino({ level: 'warn', base: { service: 'wardbell' } });

/** `wardbell migrate`: brings the configured store's schema up to date and says what ran. */
export async function migrate(args: ParsedArgs, config: Config, io: Output): Promise<void> {
  onlyFlags(args, []);
  const { db, dialect } = openStore(config, quietLogger());
  try {
    const ran = await migrateStore(db);
    io.out(ran.length ? `${dialect}: ran ${ran.length} migration(s):\n${ran.map((n) => `  ${n}\n`).join('')}` : `${dialect}: the schema is up to date\n`);
  } finally {
    await db.destroy();
  }
}

/**
 * `wardbell vapid-keys`: a new VAPID key pair and key-encryption key as environment lines (every
 * process of a scale-out deployment must share them). `--data-dir <dir>` writes them where the
 * embedded default keeps them instead, or reads them back: keys are never replaced, since a new
 * VAPID key orphans every subscription.
 */
export function vapidKeys(args: ParsedArgs, _config: Config, io: Output): void {
  onlyFlags(args, ['data-dir']);
  const dataDir = flagValue(args, 'data-dir');
  if (dataDir !== undefined) {
    if (dataDir === 'true') throw new UsageError('--data-dir needs a directory');
    const keys = loadOrCreatePushKeys({ dataDir });
    io.out(`VAPID public key (${keys.source.vapid}): ${keys.vapid.publicKey}\nkey-encryption key: ${keys.source.kek}\n`);
    return;
  }
  const vapid = generateVapidKeys();
  io.out(
    `WARDBELL_VAPID_PUBLIC_KEY=${vapid.publicKey}\n` +
      `WARDBELL_VAPID_PRIVATE_KEY=${vapid.privateKey}\n` +
      `WARDBELL_PUSH_KEY_ENCRYPTION_KEY=${randomBytes(32).toString('base64url')}\n`,
  );
}

/**
 * `wardbell token --tenant <id> --user <id> [--roles a,b] [--wards 3,4] [--ttl <seconds>]`: a user
 * token signed with the HS256 secret the service verifies with (WARDBELL_JWT_SECRET, or the
 * development secret in the data directory). For development and tests only: refused when
 * NODE_ENV=production; a deployment's tokens come from its identity provider.
 */
export async function token(args: ParsedArgs, config: Config, io: Output): Promise<void> {
  onlyFlags(args, ['tenant', 'user', 'roles', 'wards', 'ttl']);
  if (config.NODE_ENV === 'production') throw new UsageError('wardbell token is for development: tokens in production come from your identity provider');
  const id = (name: string) => {
    const v = requiredFlag(args, name);
    if (!IdSchema.safeParse(v).success) throw new UsageError(`--${name}: ${JSON.stringify(v)} is not a valid id`);
    return v;
  };
  const tenantId = id('tenant');
  const userId = id('user');
  const ttl = Number(flagValue(args, 'ttl') ?? 3600);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 86_400) throw new UsageError('--ttl: whole seconds, 1 to 2592000');
  let secret: string;
  if (config.WARDBELL_JWT_SECRET) secret = config.WARDBELL_JWT_SECRET;
  else if (config.WARDBELL_JWT_PUBLIC_KEY) throw new UsageError('the service verifies tokens with a public key (WARDBELL_JWT_PUBLIC_KEY): sign them with its private key');
  else secret = loadOrCreateDevSecret(config.WARDBELL_DATA_DIR).secret;
  const jwt = await signDevToken({ tenantId, userId, roles: flagList(args, 'roles'), wards: flagList(args, 'wards') }, new TextEncoder().encode(secret), ttl);
  io.out(`${jwt}\n`);
}

/** The embedded store's file, or a usage error naming why there is none. */
function embeddedStore(config: Config): string {
  if (config.DATABASE_URL) throw new UsageError('backup and restore are for the embedded SQLite store; for PostgreSQL use pg_dump and pg_restore (docs/OPERATIONS.md)');
  return resolve(sqlitePathOf(config));
}

/**
 * `wardbell backup <file>`: an online copy of the embedded SQLite store (SQLite's backup API: the
 * service may keep running; the copy is consistent as of its end). Refuses to overwrite a file.
 */
export async function backup(args: ParsedArgs, config: Config, io: Output): Promise<void> {
  onlyFlags(args, []);
  const target = args.words[1];
  if (!target) throw new UsageError('usage: wardbell backup <file>');
  const source = embeddedStore(config);
  if (!existsSync(source)) throw new UsageError(`no store at ${source} (WARDBELL_DATA_DIR=${config.WARDBELL_DATA_DIR})`);
  const dest = resolve(target);
  if (existsSync(dest)) throw new UsageError(`${dest} exists; choose a new file`);
  mkdirSync(dirname(dest), { recursive: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await db.backup(dest);
    io.out(`backed up ${source} to ${dest} (${totalPages} pages)\n`);
  } finally {
    db.close();
  }
}

/**
 * `wardbell restore <file> [--force]`: replaces the embedded store with a backup, after checking
 * that the file is an intact Wardbell store. Stop the service first. An existing store is replaced
 * only with `--force`.
 */
export async function restore(args: ParsedArgs, config: Config, io: Output): Promise<void> {
  onlyFlags(args, ['force']);
  const from = args.words[1];
  if (!from) throw new UsageError('usage: wardbell restore <file> [--force]');
  const dest = embeddedStore(config);
  const file = resolve(from);
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
  if (existsSync(dest) && !hasFlag(args, 'force')) throw new UsageError(`a store exists at ${dest}; stop the service and add --force to replace it`);
  const src = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const check = src.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new UsageError(`${file} is damaged: ${String(check)}`);
    const migrations = src.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get() as { n: number };
    if (migrations.n !== 1) throw new UsageError(`${file} is not a Wardbell store`);
    mkdirSync(dirname(dest), { recursive: true });
    const { totalPages } = await src.backup(dest);
    io.out(`restored ${dest} from ${file} (${totalPages} pages)\n`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${file} cannot be read as a SQLite database: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    src.close();
  }
}
