import { api } from './api.js';
import { makeSession, type DevIdentity, type Session } from './session.js';

interface DevToken {
  token: string;
  expiresAt: string;
}

/**
 * Development mode: a token for the identity, and a `service` token for the same tenant and user
 * to send with (`POST /api/events` and the workflows need service or admin). The sender token
 * carries the user's id, so answers to what the console sends come back to this user's stream.
 */
export async function mintDevSession(id: DevIdentity): Promise<Session> {
  const mint = (roles: string[]) => api<DevToken>('/api/dev/token', { method: 'POST', body: { tenantId: id.tenantId, userId: id.userId, roles, wards: id.wards } });
  const [user, sender] = await Promise.all([mint(id.roles), mint(['service'])]);
  const s = makeSession('dev', user.token, sender.token);
  if (!s) throw new Error('The service returned a token the console cannot read.');
  return s;
}

export const PRESETS: DevIdentity[] = [
  { tenantId: 'hospital-a', userId: 'nurse-kim', roles: ['nurse'], wards: ['3'] },
  { tenantId: 'hospital-a', userId: 'nurse-lee', roles: ['nurse'], wards: ['3'] },
  { tenantId: 'hospital-a', userId: 'charge-park', roles: ['manager', 'nurse'], wards: ['3', '5'] },
  { tenantId: 'hospital-a', userId: 'scheduler', roles: ['service'], wards: [] },
];
