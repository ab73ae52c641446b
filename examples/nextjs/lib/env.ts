import 'server-only';

/**
 * The app's settings, read on the server at request time (never baked into the build, so one
 * build runs against any Wardbell). See .env.example and docs/NEXTJS.md.
 */
function required(name: string, hint: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: ${hint} (see examples/nextjs/.env.example)`);
  return v;
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');

export const env = {
  /** Where this server reaches Wardbell (server actions, the directory sync). */
  wardbellUrl: () => trimSlash(required('WARDBELL_URL', 'the Wardbell service as this server reaches it, e.g. http://localhost:3000')),
  /**
   * Where browsers reach Wardbell (the event stream, the inbox calls): directly, with CORS. Default
   * WARDBELL_URL. Not a NEXT_PUBLIC_ variable: those are inlined at build time (in server code
   * too); this one is read per request and handed to the page by the layout.
   */
  publicWardbellUrl: () => trimSlash(process.env.WARDBELL_PUBLIC_URL || env.wardbellUrl()),
  /** A platform API key with the scopes send, directory and workflows. */
  apiKey: () => required('WARDBELL_API_KEY', 'create one with: npm run -s wardbell -- api-key create --platform --scope send --scope directory --scope workflows'),
  /** The HS256 secret Wardbell verifies user tokens with (its WARDBELL_JWT_SECRET). */
  jwtSecret: () => {
    const s = required('WARDBELL_JWT_SECRET', 'the same secret as the Wardbell service\'s WARDBELL_JWT_SECRET (32+ characters)');
    if (s.length < 32) throw new Error('WARDBELL_JWT_SECRET must be at least 32 characters (as Wardbell requires)');
    return s;
  },
  /** Set when Wardbell checks them (its WARDBELL_JWT_ISSUER / WARDBELL_JWT_AUDIENCE). */
  jwtIssuer: () => process.env.WARDBELL_JWT_ISSUER || undefined,
  jwtAudience: () => process.env.WARDBELL_JWT_AUDIENCE || undefined,
  /** Signs the session cookie (32+ characters). */
  sessionSecret: () => {
    const s = required('APP_SESSION_SECRET', 'a random secret of 32+ characters that signs the session cookie');
    if (s.length < 32) throw new Error('APP_SESSION_SECRET must be at least 32 characters');
    return s;
  },
};
