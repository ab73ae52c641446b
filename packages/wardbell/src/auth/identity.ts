import { z } from 'zod';

/** Who is calling, taken only from a verified token or a trusted gateway's headers. */
export interface Identity {
  tenantId: string;
  userId: string;
  roles: readonly string[];
  wards: readonly string[];
}

/** Roles that may publish events and notifications for their whole tenant. */
export const PUBLISHER_ROLES = ['service', 'admin'] as const;

export function canPublish(id: Identity): boolean {
  return id.roles.some((r) => (PUBLISHER_ROLES as readonly string[]).includes(r));
}

/** Ids of tenants, users, wards and roles: short, printable, no separators used by topics (`|` as in Auth0's `auth0|...` user ids). */
export const ID_PATTERN = /^[A-Za-z0-9_.@|-]{1,128}$/;

/** An id as the API accepts it (tenant, user, ward, role). */
export const IdSchema = z.string().regex(ID_PATTERN, 'must be an id of [A-Za-z0-9_.@|-], 1 to 128 characters');
