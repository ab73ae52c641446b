import { pino } from 'pino';
import { ApiKeys, API_KEY_SCOPES, IdSchema, isApiKeyScope, type ApiKeyInfo, type ApiKeyScope } from '../auth/index.js';
import { migrateStore, openStore } from '../compose.js';
import type { Config } from '../config/index.js';
import { flagList, flagValue, hasFlag, onlyFlags, UsageError, type ParsedArgs } from './args.js';
import type { Output } from './commands.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** The store's API keys, migrated first (the command may run before the service ever did). */
async function withKeys<T>(config: Config, fn: (keys: ApiKeys) => Promise<T>): Promise<T> {
  const { db } = openStore(config, pino({ level: 'warn' }));
  try {
    await migrateStore(db);
    return await fn(new ApiKeys(db, Date.now));
  } finally {
    await db.destroy();
  }
}

const json = (k: ApiKeyInfo) => ({ ...k, createdAt: iso(k.createdAt), lastUsedAt: k.lastUsedAt === null ? null : iso(k.lastUsedAt), revokedAt: k.revokedAt === null ? null : iso(k.revokedAt) });

function tenantOf(args: ParsedArgs, required: boolean): string | null | undefined {
  const tenant = flagValue(args, 'tenant');
  const platform = hasFlag(args, 'platform');
  if (tenant !== undefined && platform) throw new UsageError('--tenant <id> or --platform, not both');
  if (platform) return null;
  if (tenant === undefined) {
    if (required) throw new UsageError('--tenant <id> (a key for one tenant) or --platform (a key for every tenant) is required');
    return undefined;
  }
  if (!IdSchema.safeParse(tenant).success) throw new UsageError(`--tenant: ${JSON.stringify(tenant)} is not a valid id`);
  return tenant;
}

/**
 * `wardbell api-key create --tenant <id>|--platform --scope <s>... [--name <text>] [--json]`: a new
 * key, printed once (`--json`: `{"id","key"}`); `list [--tenant <id>|--platform] [--json]`;
 * `revoke <id>`.
 */
export async function apiKey(args: ParsedArgs, config: Config, io: Output): Promise<void> {
  const sub = args.words[1];
  if (sub === 'create') {
    onlyFlags(args, ['tenant', 'platform', 'scope', 'name', 'json']);
    const tenantId = tenantOf(args, true) as string | null;
    const scopes = flagList(args, 'scope');
    if (scopes.length === 0) throw new UsageError(`--scope is required (one or more of ${API_KEY_SCOPES.join(', ')})`);
    const bad = scopes.filter((s) => !isApiKeyScope(s));
    if (bad.length) throw new UsageError(`unknown scope ${bad.join(', ')}: one or more of ${API_KEY_SCOPES.join(', ')}`);
    const name = flagValue(args, 'name') ?? '';
    const made = await withKeys(config, (keys) => keys.create({ tenantId, scopes: scopes as ApiKeyScope[], name }));
    if (hasFlag(args, 'json')) io.out(`${JSON.stringify({ id: made.info.id, key: made.key })}\n`);
    else {
      io.out(`${made.key}\n`);
      io.err(`API key ${made.info.id} (${tenantId === null ? 'platform' : `tenant ${tenantId}`}; ${made.info.scopes.join(', ')}): shown once, stored only as a hash.\n`);
    }
    return;
  }
  if (sub === 'list') {
    onlyFlags(args, ['tenant', 'platform', 'json']);
    const list = await withKeys(config, (keys) => keys.list(tenantOf(args, false)));
    if (hasFlag(args, 'json')) io.out(`${JSON.stringify(list.map(json))}\n`);
    else {
      io.out(list.length === 0 ? 'no API keys\n' : '');
      for (const k of list) {
        const state = k.revokedAt === null ? 'active' : `revoked ${iso(k.revokedAt)}`;
        io.out(`${k.id}  ${k.tenantId ?? '(platform)'}  ${k.scopes.join(',')}  ${state}  created ${iso(k.createdAt)}  last used ${iso(k.lastUsedAt)}  ${k.name}\n`);
      }
    }
    return;
  }
  if (sub === 'revoke') {
    onlyFlags(args, []);
    const id = args.words[2];
    if (!id) throw new UsageError('usage: wardbell api-key revoke <id>');
    const key = await withKeys(config, (keys) => keys.revoke(id));
    if (!key) throw new UsageError(`no API key ${JSON.stringify(id)}`);
    io.out(`revoked ${key.id} (${key.tenantId ?? 'platform'}) at ${iso(key.revokedAt)}\n`);
    return;
  }
  throw new UsageError('usage: wardbell api-key create|list|revoke ...');
}
