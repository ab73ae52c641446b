import type { Db } from '../store/index.js';
import { DEFAULT_PREFERENCES, PreferencesSchema, withoutLocked, type Preferences } from './preferences.js';

const CHUNK = 500;

/** Each user's delivery preferences (`preferences` table); the planning itself is pure (preferences.ts). */
export class PreferenceStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  async get(tenantId: string, userId: string): Promise<Preferences> {
    return (await this.of(tenantId, [userId])).get(userId) ?? DEFAULT_PREFERENCES;
  }

  /** Saves them without the channels of locked types (an emergency call cannot be switched off: accepted, ignored). */
  async put(tenantId: string, userId: string, input: Preferences): Promise<Preferences> {
    const prefs = withoutLocked(input);
    const now = this.now();
    await this.db
      .insertInto('preferences')
      .values({ tenant_id: tenantId, user_id: userId, prefs: JSON.stringify(prefs), updated_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ prefs: JSON.stringify(prefs), updated_at: now }))
      .execute();
    return prefs;
  }

  /** The saved preferences of these users; users who saved none are absent (they get the defaults). */
  async of(tenantId: string, userIds: readonly string[]): Promise<Map<string, Preferences>> {
    const out = new Map<string, Preferences>();
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('preferences')
        .select(['user_id', 'prefs'])
        .where('tenant_id', '=', tenantId)
        .where('user_id', 'in', userIds.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) {
        const parsed = PreferencesSchema.safeParse(JSON.parse(r.prefs));
        if (parsed.success) out.set(r.user_id, parsed.data);
      }
    }
    return out;
  }
}
