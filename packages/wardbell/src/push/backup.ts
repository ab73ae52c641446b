import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseTopic } from '../auth/index.js';
import { AppError } from '../shared/index.js';
import type { KeyBox } from './at-rest.js';
import { checkEndpointUrl, MAX_ENDPOINT_LENGTH, type EndpointPolicy } from './endpoint.js';
import { openKeys } from './manager.js';
import { endpointHash, inChunks, OPEN_DELIVERY, type PushDb, type PushSubscriptionsTable } from './store.js';

/** Per-tenant push statistics (seed 3.1). */
export interface PushStats {
  tenantId: string;
  subscriptions: number;
  users: number;
  byTopic: Record<string, number>;
  deliveries: { delivered: number; failed: number; pruned: number; expired: number; retried: number; pending: number };
}

export const BACKUP_FORMAT = 'wardbell-push-backup';

/** A backup file: one tenant's subscriptions with their keys still sealed (never plain text). */
export const BackupFileSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(1),
    tenantId: z.string().min(1).max(128),
    /** Fingerprint of the key the `keys` are sealed with: a restore needs the same key. */
    keyId: z.string().min(1).max(64),
    exportedAt: z.string(),
    subscriptions: z
      .array(
        z
          .object({
            endpoint: z.string().min(1).max(MAX_ENDPOINT_LENGTH),
            userId: z.string().min(1).max(128),
            topics: z.array(z.string().max(300)).max(200),
            createdAt: z.string(),
            expirationTime: z.number().int().nullable(),
            keys: z.string().min(1).max(1000),
          })
          .strict(),
      )
      .max(100_000),
  })
  .strict();
export type BackupFile = z.infer<typeof BackupFileSchema>;

export interface RestoreResult {
  restored: number;
  skipped: Array<{ endpoint: string; reason: string }>;
}

/** Statistics, backup and restore of one tenant's subscriptions. */
export class SubscriptionBackup {
  constructor(private readonly opts: { db: PushDb; keyBox: KeyBox; policy: EndpointPolicy; now: () => number }) {}

  async stats(tenantId: string): Promise<PushStats> {
    const db = this.opts.db;
    const subs = await db.selectFrom('push_subscriptions').select(['user_id', 'topics']).where('tenant_id', '=', tenantId).execute();
    const byTopic: Record<string, number> = {};
    const users = new Set<string>();
    for (const s of subs) {
      users.add(s.user_id);
      for (const t of JSON.parse(s.topics) as string[]) byTopic[t] = (byTopic[t] ?? 0) + 1;
    }
    const c = await db.selectFrom('push_tenant_stats').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    const pending = await db
      .selectFrom('push_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(OPEN_DELIVERY)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return {
      tenantId,
      subscriptions: subs.length,
      users: users.size,
      byTopic,
      deliveries: {
        delivered: Number(c?.delivered ?? 0),
        failed: Number(c?.failed ?? 0),
        pruned: Number(c?.pruned ?? 0),
        expired: Number(c?.expired ?? 0),
        retried: Number(c?.retried ?? 0),
        pending: Number(pending?.n ?? 0),
      },
    };
  }

  /** The tenant's subscriptions as a backup file; keys stay sealed exactly as stored. */
  async backup(tenantId: string): Promise<BackupFile> {
    const rows = await this.opts.db.selectFrom('push_subscriptions').selectAll().where('tenant_id', '=', tenantId).orderBy('user_id').orderBy('id').execute();
    return {
      format: BACKUP_FORMAT,
      version: 1,
      tenantId,
      keyId: this.opts.keyBox.keyId,
      exportedAt: new Date(this.opts.now()).toISOString(),
      subscriptions: rows.map((r) => ({
        endpoint: r.endpoint,
        userId: r.user_id,
        topics: JSON.parse(r.topics) as string[],
        createdAt: new Date(Number(r.created_at)).toISOString(),
        expirationTime: r.expiration_time === null ? null : Number(r.expiration_time),
        keys: r.keys,
      })),
    };
  }

  /**
   * Restores a backup into the caller's tenant. A file of another tenant is refused as a whole
   * (403): re-scoping it would hand tenant A's staff devices to tenant B. The sealed keys enforce
   * the same independently: they are bound to tenant, user and endpoint, so an edited file does not
   * open. Entries whose keys do not open, whose endpoint this deployment no longer allows, or whose
   * endpoint now belongs to another tenant are skipped and listed; the rest are written (an entry
   * for an existing endpoint of this tenant replaces it).
   */
  async restore(tenantId: string, file: BackupFile): Promise<RestoreResult> {
    if (file.tenantId !== tenantId) {
      throw new AppError('forbidden', `This backup belongs to tenant ${file.tenantId}; a tenant may restore only its own subscriptions.`);
    }
    if (file.keyId !== this.opts.keyBox.keyId) {
      throw new AppError('conflict', `This backup was sealed with key ${file.keyId}, this service uses ${this.opts.keyBox.keyId}: configure the same WARDBELL_PUSH_KEY_ENCRYPTION_KEY to restore it.`);
    }
    const now = this.opts.now();
    const skipped: RestoreResult['skipped'] = [];
    const rows: PushSubscriptionsTable[] = [];
    const seen = new Set<string>();
    for (const s of file.subscriptions) {
      const why = this.entryProblem(tenantId, s, now);
      if (why) {
        skipped.push({ endpoint: s.endpoint, reason: why });
        continue;
      }
      const hash = endpointHash(s.endpoint);
      if (seen.has(hash)) continue;
      seen.add(hash);
      const created = Date.parse(s.createdAt);
      rows.push({
        id: '',
        endpoint: s.endpoint,
        endpoint_hash: hash,
        tenant_id: tenantId,
        user_id: s.userId,
        topics: JSON.stringify(s.topics),
        keys: s.keys,
        expiration_time: s.expirationTime,
        created_at: Number.isNaN(created) ? now : created,
        updated_at: now,
      });
    }
    let restored = 0;
    await this.opts.db.transaction().execute(async (trx) => {
      await inChunks(rows, 200, async (chunk) => {
        const existing = await trx.selectFrom('push_subscriptions').select(['id', 'endpoint_hash', 'tenant_id', 'user_id']).where('endpoint_hash', 'in', chunk.map((r) => r.endpoint_hash)).execute();
        const byHash = new Map(existing.map((e) => [e.endpoint_hash, e]));
        for (const r of chunk) {
          const e = byHash.get(r.endpoint_hash);
          if (e && e.tenant_id !== tenantId) {
            skipped.push({ endpoint: r.endpoint, reason: 'the endpoint is now registered in another tenant' });
            continue;
          }
          if (e) {
            await trx.updateTable('push_subscriptions').set({ ...r, id: e.id }).where('id', '=', e.id).execute();
          } else {
            await trx.insertInto('push_subscriptions').values({ ...r, id: randomUUID() }).execute();
          }
          restored++;
        }
      });
    });
    return { restored, skipped };
  }

  private entryProblem(tenantId: string, s: BackupFile['subscriptions'][number], now: number): string | null {
    const url = checkEndpointUrl(s.endpoint, this.opts.policy);
    if (!url.ok) return url.reason;
    if (s.expirationTime !== null && s.expirationTime <= now) return 'expired';
    if (!s.topics.every((t) => parseTopic(t) !== null)) return 'a topic is malformed';
    if (!s.topics.includes(`user:${s.userId}`)) return 'topics must include the user\'s own topic';
    const keys = openKeys(this.opts.keyBox, { tenant_id: tenantId, user_id: s.userId, endpoint: s.endpoint, keys: s.keys });
    if (!keys) return 'keys do not open for this tenant, user and endpoint (sealed elsewhere, or the file was edited)';
    return null;
  }
}
