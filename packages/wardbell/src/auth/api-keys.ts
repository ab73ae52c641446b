import type { Kysely } from 'kysely';
import { AppError } from '../shared/index.js';
import type { Database, Db } from '../store/index.js';
import { hashApiKey, isApiKeyScope, newApiKey, parseApiKey, sameHash, type ApiKeyScope } from './api-key-format.js';

export interface ApiKeysTable {
  id: string;
  /** Null for a platform key, which acts for any tenant the request names. */
  tenant_id: string | null;
  name: string;
  /** JSON array of scopes. */
  scopes: string;
  key_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}
type Tables = { api_keys: ApiKeysTable };

/** A key as lists show it (never the key itself). */
export interface ApiKeyInfo {
  id: string;
  tenantId: string | null;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** What a verified key grants: the stored row's id, tenant (null: platform) and scopes. */
export interface ApiKeyGrant {
  id: string;
  tenantId: string | null;
  scopes: readonly ApiKeyScope[];
}

/** How long a verified key is trusted before its row is read again (a revocation elsewhere takes this long). */
export const API_KEY_CACHE_MS = 10_000;
/** A key's last use is written at most this often. */
export const LAST_USED_WRITE_MS = 60_000;

const info = (r: ApiKeysTable): ApiKeyInfo => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  scopes: (JSON.parse(r.scopes) as string[]).filter(isApiKeyScope),
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

/**
 * Service credentials (`api_keys`, this module's table): created with their scopes and shown once,
 * stored hashed, listed, revoked. `verify` answers from a short cache (`API_KEY_CACHE_MS`) so a busy
 * server does not read the row per request; a revocation in this process applies at once, one in
 * another process within the cache's life. Each use is recorded as the key's last use, written at
 * most once a minute per key, after the answer (a failed write is reported, not thrown).
 */
export class ApiKeys {
  private readonly db: Kysely<Database & Tables>;
  private readonly cache = new Map<string, { grant: ApiKeyGrant | null; hash: string; until: number }>();
  private readonly lastWritten = new Map<string, number>();

  constructor(db: Db, private readonly now: () => number, private readonly onError: (err: unknown) => void = () => undefined) {
    this.db = db.withTables<Tables>();
  }

  async create(opts: { tenantId: string | null; scopes: readonly ApiKeyScope[]; name?: string }): Promise<{ key: string; info: ApiKeyInfo }> {
    const scopes = [...new Set(opts.scopes)];
    if (scopes.length === 0) throw new AppError('validation_failed', 'An API key needs at least one scope.');
    const made = newApiKey();
    const row: ApiKeysTable = {
      id: made.id,
      tenant_id: opts.tenantId,
      name: opts.name ?? '',
      scopes: JSON.stringify(scopes),
      key_hash: made.hash,
      created_at: this.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return { key: made.key, info: info(row) };
  }

  /** Keys of one tenant (`tenantId`), of the platform (null), or all (undefined); newest first. */
  async list(tenantId?: string | null): Promise<ApiKeyInfo[]> {
    let q = this.db.selectFrom('api_keys').selectAll();
    if (tenantId === null) q = q.where('tenant_id', 'is', null);
    else if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(info);
  }

  /**
   * Revokes a key; `tenantId` limits it to that tenant's keys (another tenant's id is unknown).
   * The key as it is now, or null when there is no such key. Revoking twice keeps the first time.
   */
  async revoke(id: string, tenantId?: string): Promise<ApiKeyInfo | null> {
    let q = this.db.updateTable('api_keys').set({ revoked_at: this.now() }).where('id', '=', id).where('revoked_at', 'is', null);
    if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    await q.execute();
    this.cache.delete(id);
    let read = this.db.selectFrom('api_keys').selectAll().where('id', '=', id);
    if (tenantId !== undefined) read = read.where('tenant_id', '=', tenantId);
    const row = await read.executeTakeFirst();
    return row ? info(row) : null;
  }

  /** The grant of a valid, unrevoked key, or null. */
  async verify(key: string): Promise<ApiKeyGrant | null> {
    const parsed = parseApiKey(key);
    if (!parsed) return null;
    const hash = hashApiKey(key);
    const now = this.now();
    let hit = this.cache.get(parsed.id);
    if (!hit || hit.until <= now) {
      const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', parsed.id).executeTakeFirst();
      const grant = row && row.revoked_at === null ? { id: row.id, tenantId: row.tenant_id, scopes: info(row).scopes } : null;
      hit = { grant, hash: row?.key_hash ?? '', until: now + API_KEY_CACHE_MS };
      this.cache.set(parsed.id, hit);
    }
    if (!hit.grant || !sameHash(hash, hit.hash)) return null;
    this.recordUse(hit.grant.id, now);
    return hit.grant;
  }

  private recordUse(id: string, now: number): void {
    const last = this.lastWritten.get(id) ?? 0;
    if (now - last < LAST_USED_WRITE_MS) return;
    this.lastWritten.set(id, now);
    this.db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('id', '=', id)
      .execute()
      .catch((err: unknown) => {
        this.lastWritten.delete(id);
        this.onError(err);
      });
  }
}
