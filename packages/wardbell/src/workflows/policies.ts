import type { Identity } from '../auth/index.js';
import type { Directory } from '../notifications/index.js';
import { AppError } from '../shared/index.js';
import { freezePolicy, POLICY_NAME, usersNamed, type EscalationPolicy } from './policy.js';
import { iso, type EscalationPoliciesTable, type WfDb } from './tables.js';

/** How many named policies one tenant may keep. */
export const MAX_POLICIES_PER_TENANT = 100;

/** A named policy as the API shows it: the policy as stored, its name and who changed it when. */
export type NamedPolicyView = EscalationPolicy & { name: string; createdBy: string; updatedBy: string; createdAt: string; updatedAt: string };

function view(r: EscalationPoliciesTable): NamedPolicyView {
  return {
    ...(JSON.parse(r.policy) as EscalationPolicy),
    name: r.name,
    createdBy: r.created_by,
    updatedBy: r.updated_by,
    createdAt: iso(r.created_at) ?? '',
    updatedAt: iso(r.updated_at) ?? '',
  };
}

const notFound = (name: string) => new AppError('not_found', `No escalation policy named "${name}" in your tenant (PUT /api/escalation-policies/${name} stores one).`, { policy: name });

/**
 * A tenant's named escalation policies. A call that names one copies it whole when it is made
 * (`FrozenPolicy`), so changing or deleting the policy later changes no call already made. Every
 * read and write is scoped by the caller's tenant: another tenant's policy of the same name is
 * another row, never seen.
 */
export class EscalationPolicies {
  constructor(private readonly o: { db: WfDb; directory: Directory; now: () => number }) {}

  /**
   * Stores the policy under its name: an upsert, so a retry of the same PUT changes nothing more
   * (a body equal to the stored one keeps even its `updatedAt`). Named staff must be in the
   * directory. Resolves with the policy and whether it was created.
   */
  async put(caller: Identity, name: string, policy: EscalationPolicy): Promise<{ policy: NamedPolicyView; created: boolean }> {
    if (!POLICY_NAME.test(name)) throw new AppError('validation_failed', 'A policy name is 1 to 64 lowercase letters, digits, - or _.');
    const tenantId = caller.tenantId;
    await this.o.directory.requireKnown(tenantId, usersNamed(freezePolicy(policy, name)));
    const text = JSON.stringify(policy);
    const before = await this.row(tenantId, name);
    if (before && before.policy === text) return { policy: view(before), created: false };
    if (!before) {
      const count = await this.o.db.selectFrom('escalation_policies').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      if (Number(count.n) >= MAX_POLICIES_PER_TENANT) throw new AppError('conflict', `This tenant keeps ${MAX_POLICIES_PER_TENANT} escalation policies already; delete one first.`, { max: MAX_POLICIES_PER_TENANT });
    }
    const now = this.o.now();
    await this.o.db
      .insertInto('escalation_policies')
      .values({ tenant_id: tenantId, name, policy: text, created_by: caller.userId, updated_by: caller.userId, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'name']).doUpdateSet({ policy: text, updated_by: caller.userId, updated_at: now }))
      .execute();
    const after = await this.row(tenantId, name);
    if (!after) throw new AppError('conflict', 'The policy was deleted while it was being stored; send it again.');
    return { policy: view(after), created: !before };
  }

  async get(tenantId: string, name: string): Promise<NamedPolicyView> {
    const r = await this.row(tenantId, name);
    if (!r) throw notFound(name);
    return view(r);
  }

  async list(tenantId: string): Promise<NamedPolicyView[]> {
    const rows = await this.o.db.selectFrom('escalation_policies').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
    return rows.map(view);
  }

  /** Deletes it; calls made with it keep their copy. 404 when there is none. */
  async remove(tenantId: string, name: string): Promise<NamedPolicyView> {
    const r = await this.row(tenantId, name);
    if (!r) throw notFound(name);
    await this.o.db.deleteFrom('escalation_policies').where('tenant_id', '=', tenantId).where('name', '=', name).execute();
    return view(r);
  }

  /** The policy a call names, to freeze into it; 404 (with the name) when the tenant has none of that name. */
  async resolve(tenantId: string, name: string): Promise<EscalationPolicy> {
    const r = await this.row(tenantId, name);
    if (!r) throw notFound(name);
    return JSON.parse(r.policy) as EscalationPolicy;
  }

  private row(tenantId: string, name: string): Promise<EscalationPoliciesTable | undefined> {
    return this.o.db.selectFrom('escalation_policies').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
  }
}
