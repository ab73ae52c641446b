import { AppError } from '../shared/errors.js';
import type { Identity } from './identity.js';
import { verifyToken, type JwtKey, type JwtOptions } from './jwt.js';
import { identityFromHeaders } from './trusted-proxy.js';

export type HeaderGetter = (name: string) => string | undefined;

export interface Authenticator {
  readonly mode: 'jwt' | 'trusted-proxy';
  /** Identifies the caller from request headers, or throws AppError (401). */
  authenticate(header: HeaderGetter): Promise<Identity>;
}

export function createAuthenticator(
  opts: { mode: 'jwt'; key: JwtKey; jwt?: JwtOptions } | { mode: 'trusted-proxy' },
): Authenticator {
  if (opts.mode === 'trusted-proxy') {
    return { mode: 'trusted-proxy', authenticate: async (h) => identityFromHeaders(h) };
  }
  const { key, jwt } = opts;
  return {
    mode: 'jwt',
    async authenticate(h) {
      const auth = h('authorization');
      if (!auth) {
        throw new AppError('unauthenticated', 'Send Authorization: Bearer <token> (or an SSE ticket for EventSource).');
      }
      const m = /^Bearer +([A-Za-z0-9_\-.]+)\s*$/i.exec(auth);
      if (!m?.[1]) throw new AppError('invalid_token', 'Authorization header must be "Bearer <JWT>".');
      // Identity headers are ignored here on purpose: only the verified token says who is calling.
      return verifyToken(m[1], key, jwt);
    },
  };
}
