import { AppError } from '../shared/index.js';
import { ID_PATTERN, type Identity } from './identity.js';

type HeaderGetter = (name: string) => string | undefined;

function list(raw: string | undefined, name: string): string[] {
  if (!raw) return [];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const it of items) {
    if (!ID_PATTERN.test(it)) throw new AppError('unauthenticated', `Header ${name} holds an invalid id "${it}".`);
  }
  return items;
}

/**
 * The seed's header identification (x-tenant-id, x-user-id, x-user-roles, x-user-wards), trusted
 * only when the service is configured to sit behind an authenticating gateway that sets them.
 */
export function identityFromHeaders(get: HeaderGetter): Identity {
  const tenantId = get('x-tenant-id');
  const userId = get('x-user-id');
  if (!tenantId || !userId) {
    throw new AppError('unauthenticated', 'Missing x-tenant-id or x-user-id header from the gateway.');
  }
  if (!ID_PATTERN.test(tenantId) || !ID_PATTERN.test(userId)) {
    throw new AppError('unauthenticated', 'x-tenant-id and x-user-id must be ids of [A-Za-z0-9_.@|-].');
  }
  return {
    tenantId,
    userId,
    roles: list(get('x-user-roles'), 'x-user-roles'),
    wards: list(get('x-user-wards'), 'x-user-wards'),
  };
}
