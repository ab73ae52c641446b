import type { Identity } from '../auth/index.js';
import type { Audience } from '../events/index.js';
import { AppError } from '../shared/index.js';
import type { Db } from '../store/index.js';

/** One staff member as the scheduling application or a verified identity describes them. */
export interface Member {
  userId: string;
  roles: readonly string[];
  wards: readonly string[];
  displayName?: string | null | undefined;
  timeZone?: string | null | undefined;
}

const topicsOf = (m: Member) => [...m.wards.map((w) => `ward:${w}`), ...m.roles.map((r) => `role:${r}`)];
const CHUNK = 500;

/**
 * The staff directory: who is in which ward and role. Ward, role and tenant notifications go to its
 * members' inboxes, also members who never connected. It is filled by the scheduling application
 * (`PUT /api/directory/members`) and kept current from every verified identity that calls us.
 */
export class Directory {
  /** tenant/user -> fingerprint of the last identity written, so a repeat caller costs no write. */
  private readonly seen = new Map<string, string>();
  constructor(private readonly db: Db, private readonly now: () => number) {}

  /** Records a verified identity (cheap when unchanged). */
  async observe(id: Identity): Promise<void> {
    const key = `${id.tenantId}\u0000${id.userId}`;
    const fp = `${[...id.roles].sort().join(',')}|${[...id.wards].sort().join(',')}`;
    if (this.seen.get(key) === fp) return;
    await this.upsert(id.tenantId, [{ userId: id.userId, roles: id.roles, wards: id.wards }], { keepProfile: true });
    if (this.seen.size > 100_000) this.seen.clear();
    this.seen.set(key, fp);
  }

  /** Inserts or replaces members; their topic rows follow their wards and roles. */
  async upsert(tenantId: string, members: readonly Member[], opts: { keepProfile?: boolean } = {}): Promise<void> {
    const now = this.now();
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < members.length; i += CHUNK) {
        const chunk = members.slice(i, i + CHUNK);
        const ids = chunk.map((m) => m.userId);
        await trx
          .insertInto('directory_members')
          .values(
            chunk.map((m) => ({
              tenant_id: tenantId,
              user_id: m.userId,
              roles: JSON.stringify([...m.roles]),
              wards: JSON.stringify([...m.wards]),
              display_name: m.displayName ?? null,
              time_zone: m.timeZone ?? null,
              updated_at: now,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'user_id']).doUpdateSet((eb) => ({
              roles: eb.ref('excluded.roles'),
              wards: eb.ref('excluded.wards'),
              updated_at: eb.ref('excluded.updated_at'),
              ...(opts.keepProfile
                ? {}
                : { display_name: eb.ref('excluded.display_name'), time_zone: eb.ref('excluded.time_zone') }),
            })),
          )
          .execute();
        await trx.deleteFrom('directory_topics').where('tenant_id', '=', tenantId).where('user_id', 'in', ids).execute();
        const topicRows = chunk.flatMap((m) => topicsOf(m).map((topic) => ({ tenant_id: tenantId, topic, user_id: m.userId })));
        for (let j = 0; j < topicRows.length; j += CHUNK) {
          await trx.insertInto('directory_topics').values(topicRows.slice(j, j + CHUNK)).onConflict((oc) => oc.doNothing()).execute();
        }
      }
    });
    for (const m of members) this.seen.delete(`${tenantId}\u0000${m.userId}`);
  }

  async remove(tenantId: string, userIds: readonly string[]): Promise<number> {
    let n = 0;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < userIds.length; i += CHUNK) {
        const ids = userIds.slice(i, i + CHUNK);
        await trx.deleteFrom('directory_topics').where('tenant_id', '=', tenantId).where('user_id', 'in', ids).execute();
        const r = await trx.deleteFrom('directory_members').where('tenant_id', '=', tenantId).where('user_id', 'in', ids).executeTakeFirst();
        n += Number(r.numDeletedRows);
      }
    });
    for (const u of userIds) this.seen.delete(`${tenantId}\u0000${u}`);
    return n;
  }

  async list(tenantId: string, opts: { limit: number; after?: string | undefined }): Promise<Member[]> {
    let q = this.db.selectFrom('directory_members').selectAll().where('tenant_id', '=', tenantId);
    if (opts.after) q = q.where('user_id', '>', opts.after);
    const rows = await q.orderBy('user_id').limit(opts.limit).execute();
    return rows.map((r) => ({
      userId: r.user_id,
      roles: JSON.parse(r.roles) as string[],
      wards: JSON.parse(r.wards) as string[],
      displayName: r.display_name,
      timeZone: r.time_zone,
    }));
  }

  /** Which of these users are members of the tenant. */
  /**
   * Refuses users this tenant's directory does not know (400 `unknown_recipients`): that is also
   * how a send to another hospital's staff is refused. Workflows that send only later (a reminder,
   * an escalation) call it at request time, so they never accept what cannot be delivered.
   */
  async requireKnown(tenantId: string, userIds: readonly string[]): Promise<void> {
    if (!userIds.length) return;
    const known = await this.existing(tenantId, userIds);
    const unknown = [...new Set(userIds.filter((u) => !known.has(u)))];
    if (unknown.length) {
      throw new AppError('unknown_recipients', `No such staff in this tenant: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', ...' : ''}. Add them with PUT /api/directory/members first.`, { unknownUsers: unknown });
    }
  }

  async existing(tenantId: string, userIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('directory_members')
        .select('user_id')
        .where('tenant_id', '=', tenantId)
        .where('user_id', 'in', userIds.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) out.add(r.user_id);
    }
    return out;
  }

  /** The members an audience reaches, sorted. */
  async resolve(tenantId: string, audience: Audience): Promise<string[]> {
    if (audience.kind === 'users') {
      const known = await this.existing(tenantId, audience.users);
      return audience.users.filter((u) => known.has(u));
    }
    if (audience.kind === 'topic') {
      if (audience.topic.startsWith('user:')) return this.resolve(tenantId, { kind: 'users', users: [audience.topic.slice(5)] });
      const rows = await this.db
        .selectFrom('directory_topics')
        .select('user_id')
        .where('tenant_id', '=', tenantId)
        .where('topic', '=', audience.topic)
        .orderBy('user_id')
        .execute();
      return rows.map((r) => r.user_id);
    }
    const rows = await this.db.selectFrom('directory_members').select('user_id').where('tenant_id', '=', tenantId).orderBy('user_id').execute();
    return rows.map((r) => r.user_id);
  }
}
