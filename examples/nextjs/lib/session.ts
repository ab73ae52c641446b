import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { cookies, headers } from 'next/headers';
import { env } from './env';
import { staffMember, type StaffMember } from './staff';

/**
 * The development sign-in: an httpOnly cookie holding who signed in (tenant and user), signed with
 * HMAC-SHA256 under APP_SESSION_SECRET. Anyone can sign in as any demo staff member; a real app
 * signs people in through its identity provider and keeps the same cookie (or the provider's).
 */
const COOKIE = 'wb_demo_session';
const MAX_AGE_S = 12 * 3600;

interface SessionData {
  t: string;
  u: string;
  /** Signed in at, seconds since the epoch. */
  iat: number;
}

const sign = (payload: string) => createHmac('sha256', env.sessionSecret()).update(payload).digest('base64url');

export function encodeSession(data: SessionData): string {
  const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

export function decodeSession(value: string | undefined, nowS = Math.floor(Date.now() / 1000)): SessionData | null {
  if (!value) return null;
  const [payload, mac] = value.split('.');
  if (!payload || !mac) return null;
  const want = Buffer.from(sign(payload));
  const got = Buffer.from(mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  try {
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionData;
    if (typeof data.t !== 'string' || typeof data.u !== 'string' || typeof data.iat !== 'number') return null;
    if (nowS - data.iat > MAX_AGE_S) return null;
    return data;
  } catch {
    return null;
  }
}

/** The signed-in staff member, or null. */
export async function currentUser(): Promise<StaffMember | null> {
  const data = decodeSession((await cookies()).get(COOKIE)?.value);
  return data ? (staffMember(data.t, data.u) ?? null) : null;
}

/** Secure cookies when the page was reached over https (directly or through a proxy that says so). */
async function overHttps(): Promise<boolean> {
  const h = await headers();
  return (h.get('x-forwarded-proto') ?? '').split(',')[0]?.trim() === 'https' || (h.get('origin') ?? '').startsWith('https://');
}

export async function startSession(user: StaffMember): Promise<void> {
  (await cookies()).set(COOKIE, encodeSession({ t: user.tenantId, u: user.userId, iat: Math.floor(Date.now() / 1000) }), {
    httpOnly: true,
    sameSite: 'lax',
    secure: await overHttps(),
    path: '/',
    maxAge: MAX_AGE_S,
  });
}

export async function endSession(): Promise<void> {
  (await cookies()).delete(COOKIE);
}
