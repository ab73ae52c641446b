import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY_CACHE_MS,
  ApiKeys,
  hashApiKey,
  LAST_USED_WRITE_MS,
  looksLikeApiKey,
  newApiKey,
  parseApiKey,
} from '../../packages/wardbell/src/auth/index.js';
import { migrateStore } from '../../packages/wardbell/src/compose.js';
import { openSqlite, type Db } from '../../packages/wardbell/src/store/index.js';
import { eventually } from '../helpers/eventually.js';
import { FakeClock } from '../helpers/fake-clock.js';

describe('API key format (pure)', () => {
  it('makes keys that parse back to their id, tell themselves from JWTs, and hash stably', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(a.key).toMatch(/^wbk_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
    expect(parseApiKey(a.key)).toEqual({ id: a.id });
    expect(a.id).not.toBe(b.id);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(looksLikeApiKey(a.key)).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOiJIUzI1NiJ9.e30.x')).toBe(false);
  });

  it('refuses what is not exactly a key', () => {
    const { key } = newApiKey();
    for (const bad of [key.slice(0, -1), `${key}x`, key.replace('wbk_', 'wbx_'), key.toUpperCase(), 'wbk_', `wbk_${'A'.repeat(16)}_${'a'.repeat(43)}`]) {
      expect(parseApiKey(bad), bad).toBeNull();
    }
  });
});

describe('API keys in the store', () => {
  let dir: string;
  let db: Db;
  const clock = new FakeClock();
  let keys: ApiKeys;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wardbell-keys-'));
    db = openSqlite(join(dir, 'k.sqlite'));
    await migrateStore(db);
    keys = new ApiKeys(db, () => clock.now());
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores only the hash, verifies the key and nothing like it', async () => {
    const made = await keys.create({ tenantId: 'h1', scopes: ['send', 'publish', 'send'], name: 'scheduler' });
    expect(made.info).toMatchObject({ tenantId: 'h1', name: 'scheduler', scopes: ['send', 'publish'], lastUsedAt: null, revokedAt: null });
    const rows = await db.selectFrom('api_keys' as never).selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(made.key.slice(21));
    expect(await keys.verify(made.key)).toEqual({ id: made.info.id, tenantId: 'h1', scopes: ['send', 'publish'] });
    // The right id with another secret, then a made-up id.
    const forged = `${made.key.slice(0, 21)}${'A'.repeat(43)}`;
    expect(await keys.verify(forged)).toBeNull();
    expect(await keys.verify(newApiKey().key)).toBeNull();
    await expect(keys.create({ tenantId: 'h1', scopes: [] })).rejects.toThrow(/at least one scope/);
  });

  it('records the last use at most once a minute', async () => {
    const made = await keys.create({ tenantId: 'h1', scopes: ['publish'] });
    const lastUsed = async () => (await keys.list('h1')).find((k) => k.id === made.info.id)?.lastUsedAt;
    const first = clock.now();
    await keys.verify(made.key);
    await eventually(async () => expect(await lastUsed()).toBe(first));
    clock.advance(LAST_USED_WRITE_MS - 1);
    await keys.verify(made.key);
    await new Promise((r) => setImmediate(r));
    expect(await lastUsed()).toBe(first);
    clock.advance(1);
    await keys.verify(made.key);
    await eventually(async () => expect(await lastUsed()).toBe(first + LAST_USED_WRITE_MS));
  });

  it('revokes at once here, and within the cache life for another process; only its tenant\'s key', async () => {
    const made = await keys.create({ tenantId: 'h2', scopes: ['workflows'] });
    const other = new ApiKeys(db, () => clock.now());
    expect(await other.verify(made.key)).not.toBeNull();
    expect(await keys.revoke(made.info.id, 'h1')).toBeNull();
    expect(await keys.verify(made.key)).not.toBeNull();
    const revoked = await keys.revoke(made.info.id, 'h2');
    expect(revoked?.revokedAt).toBe(clock.now());
    expect(await keys.verify(made.key)).toBeNull();
    // The other process still trusts its cached answer, until the cache life ends.
    expect(await other.verify(made.key)).not.toBeNull();
    clock.advance(API_KEY_CACHE_MS);
    expect(await other.verify(made.key)).toBeNull();
    // Revoking again keeps the first time.
    clock.advance(5000);
    expect((await keys.revoke(made.info.id))?.revokedAt).toBe(revoked?.revokedAt);
  });

  it('lists a tenant\'s keys, the platform\'s, or all', async () => {
    const platform = await keys.create({ tenantId: null, scopes: ['admin'] });
    expect((await keys.list(null)).map((k) => k.id)).toEqual([platform.info.id]);
    expect((await keys.list('h1')).every((k) => k.tenantId === 'h1')).toBe(true);
    expect((await keys.list()).length).toBe((await keys.list('h1')).length + (await keys.list('h2')).length + 1);
  });
});
