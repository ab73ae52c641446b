/**
 * The app as Wardbell's identity provider: `POST /api/wardbell/token` gives the signed-in user a
 * short-lived Wardbell token (HS256 under the shared WARDBELL_JWT_SECRET). The page's
 * `WardbellProvider` asks for one when it connects and again when Wardbell no longer accepts the
 * last (`refresh: true`). Same-origin only: the session cookie is SameSite=Lax and no CORS headers
 * are sent, so no other site can read a token.
 */
import { currentUser } from '../../../../lib/session';
import { mintUserToken } from '../../../../lib/wardbell';

export const dynamic = 'force-dynamic';

const NO_STORE = { 'cache-control': 'no-store' };

export async function POST(): Promise<Response> {
  const user = await currentUser();
  if (!user) return Response.json({ error: { code: 'unauthenticated', message: 'Sign in first.' } }, { status: 401, headers: NO_STORE });
  return Response.json(await mintUserToken(user), { headers: NO_STORE });
}
