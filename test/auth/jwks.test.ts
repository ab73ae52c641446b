import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromClaims, JwksKeys, pinnedAlgorithm, verifyToken, DEFAULT_CLAIM_NAMES } from '../../packages/wardbell/src/auth/index.js';
import { createWardbell, type Wardbell } from '../../packages/wardbell/src/compose.js';
import { ConfigError, loadConfig } from '../../packages/wardbell/src/config/index.js';
import { eventually } from '../helpers/eventually.js';

type Pair = Awaited<ReturnType<typeof generateKeyPair>>;

/** The identity provider of these tests: a JWKS on loopback whose keys the test changes. */
class IdentityProvider {
  keys: JWK[] = [];
  fetches = 0;
  down = false;
  private server: Server | null = null;
  url = '';
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.fetches++;
      if (this.down) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/.well-known/jwks.json`;
  }
  async publish(kid: string, pair: Pair, alg?: string): Promise<void> {
    this.keys.push({ ...(await exportJWK(pair.publicKey)), kid, use: 'sig', ...(alg ? { alg } : {}) });
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()) ?? r());
  }
}

const sign = (pair: Pair, kid: string | undefined, claims: Record<string, unknown>, alg = 'RS256', opts: { iss?: string; aud?: string } = {}) => {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg, ...(kid ? { kid } : {}) }).setSubject('kim').setIssuedAt().setExpirationTime('10m');
  if (opts.iss) jwt = jwt.setIssuer(opts.iss);
  if (opts.aud) jwt = jwt.setAudience(opts.aud);
  return jwt.sign(pair.privateKey);
};

describe('claims of other identity providers (pure)', () => {
  it('reads renamed, nested and namespaced claims; a string is one value; non-ids are left out', () => {
    const keycloak = identityFromClaims({ sub: 'kim', org: { id: 'h1' }, realm_access: { roles: ['nurse', 'offline access', 'charge'] }, ward: '3' }, { user: 'sub', tenant: 'org.id', roles: 'realm_access.roles', wards: 'ward' });
    expect(keycloak).toEqual({ tenantId: 'h1', userId: 'kim', roles: ['nurse', 'charge'], wards: ['3'] });
    const auth0 = identityFromClaims({ sub: 'auth0|abc', 'https://wardbell.example/tenant': 'h2', 'https://wardbell.example/roles': 'admin' }, { user: 'sub', tenant: 'https://wardbell.example/tenant', roles: 'https://wardbell.example/roles', wards: 'wards' });
    expect(auth0).toEqual({ tenantId: 'h2', userId: 'auth0|abc', roles: ['admin'], wards: [] });
  });

  it('refuses a token without a tenant or user id, or with roles of the wrong shape', () => {
    expect(identityFromClaims({ sub: 'kim' }, DEFAULT_CLAIM_NAMES)).toMatch(/claim "tid"/);
    expect(identityFromClaims({ sub: 'k i m', tid: 'h1' }, DEFAULT_CLAIM_NAMES)).toMatch(/claim "sub"/);
    expect(identityFromClaims({ sub: 'kim', tid: 'h1', roles: { admin: true } }, DEFAULT_CLAIM_NAMES)).toMatch(/claim "roles"/);
    expect(identityFromClaims({ sub: 'kim', tid: ['h1'] }, DEFAULT_CLAIM_NAMES)).toMatch(/claim "tid"/);
  });

  it('pins each key to one asymmetric algorithm', () => {
    expect(pinnedAlgorithm({ kty: 'RSA' })).toBe('RS256');
    expect(pinnedAlgorithm({ kty: 'RSA', alg: 'PS256' })).toBe('PS256');
    expect(pinnedAlgorithm({ kty: 'EC', crv: 'P-256' })).toBe('ES256');
    expect(pinnedAlgorithm({ kty: 'EC', crv: 'P-384' })).toBeNull();
    expect(pinnedAlgorithm({ kty: 'oct', k: 'c2VjcmV0' })).toBeNull();
    expect(pinnedAlgorithm({ kty: 'RSA', alg: 'HS256' })).toBeNull();
    expect(pinnedAlgorithm({ kty: 'RSA', alg: 'ES256' })).toBeNull();
    expect(pinnedAlgorithm({ kty: 'RSA', use: 'enc' })).toBeNull();
  });
});

describe('tokens verified against a JWKS', () => {
  const idp = new IdentityProvider();
  let now = Date.UTC(2026, 11, 3, 8, 0, 0);
  let jwks: JwksKeys;
  let a: Pair;
  let b: Pair;
  let ec: Pair;
  let attacker: Pair;
  beforeAll(async () => {
    [a, b, ec, attacker] = await Promise.all([generateKeyPair('RS256', { extractable: true }), generateKeyPair('RS256', { extractable: true }), generateKeyPair('ES256', { extractable: true }), generateKeyPair('RS256')]);
    await idp.start();
    await idp.publish('a', a);
    await idp.publish('ec', ec);
    jwks = new JwksKeys({ url: idp.url, now: () => now });
  });
  afterAll(() => idp.stop());
  const claims = { tid: 'h1', roles: ['nurse'], wards: ['3'] };

  it('verifies a token with the key its kid names, RSA or EC', async () => {
    expect(await verifyToken(await sign(a, 'a', claims), jwks)).toEqual({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] });
    expect((await verifyToken(await sign(ec, 'ec', claims, 'ES256'), jwks)).tenantId).toBe('h1');
    expect(idp.fetches).toBe(1);
  });

  it('follows a rotation: a new kid fetches the set again, once', async () => {
    await idp.publish('b', b);
    now += 31_000;
    expect((await verifyToken(await sign(b, 'b', claims), jwks)).userId).toBe('kim');
    expect(idp.fetches).toBe(2);
    expect(jwks.status().keys).toBe(3);
  });

  it('refuses unknown kids, and a flood of them fetches at most once per 30 s', async () => {
    now += 31_000;
    const before = idp.fetches;
    for (let i = 0; i < 20; i++) await expect(verifyToken(await sign(attacker, `made-up-${i}`, claims), jwks)).rejects.toThrow(/unknown key id "made-up-/);
    expect(idp.fetches - before).toBe(1);
  });

  it('refuses a token signed with another key under a known kid', async () => {
    await expect(verifyToken(await sign(attacker, 'a', claims), jwks)).rejects.toThrow(/signature or format invalid/);
  });

  it('refuses algorithm confusion: HS256 with the public key as secret, none, and an algorithm the key is not for', async () => {
    const pem = new TextEncoder().encode(await exportSPKI(a.publicKey));
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'a' }).setSubject('kim').setExpirationTime('10m').sign(pem);
    await expect(verifyToken(hs, jwks)).rejects.toThrow(/algorithm not accepted/);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'a' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, sub: 'kim', exp: 9_999_999_999 })).toString('base64url')}.`;
    await expect(verifyToken(none, jwks)).rejects.toThrow(/rejected/);
    // The RSA key "a" verifies RS256 only; a PS256 signature by the same key is refused.
    const ps = { ...a, privateKey: await importJWK(await exportJWK(a.privateKey), 'PS256') } as Pair;
    await expect(verifyToken(await sign(ps, 'a', claims, 'PS256'), jwks)).rejects.toThrow(/verifies RS256 only, not PS256/);
    await expect(verifyToken(await sign(a, 'ec', claims, 'RS256'), jwks)).rejects.toThrow(/verifies ES256 only/);
  });

  it('checks issuer and audience when they are set', async () => {
    const opts = { issuer: 'https://login.hospital.example', audience: 'wardbell' };
    expect((await verifyToken(await sign(a, 'a', claims, 'RS256', { iss: opts.issuer, aud: 'wardbell' }), jwks, opts)).tenantId).toBe('h1');
    await expect(verifyToken(await sign(a, 'a', claims, 'RS256', { iss: 'https://evil.example', aud: 'wardbell' }), jwks, opts)).rejects.toThrow(/claim "iss"/);
    await expect(verifyToken(await sign(a, 'a', claims, 'RS256', { iss: opts.issuer, aud: 'other' }), jwks, opts)).rejects.toThrow(/claim "aud"/);
  });

  it('keeps verifying with the keys it holds while the provider is unreachable, and says so', async () => {
    idp.down = true;
    now += 11 * 60_000;
    // Old keys: still verified; a refresh is tried in the background and fails.
    expect((await verifyToken(await sign(a, 'a', claims), jwks)).userId).toBe('kim');
    await eventually(() => expect(jwks.status().lastError).toBe('HTTP 503'));
    expect(jwks.status().keys).toBe(3);
    expect((await verifyToken(await sign(b, 'b', claims), jwks)).userId).toBe('kim');
    idp.down = false;
    now += 31_000;
    await jwks.refresh();
    expect(jwks.status().lastError).toBeNull();
  });
});

describe('the service signed in through a JWKS', () => {
  const idp = new IdentityProvider();
  let pair: Pair;
  let wb: Wardbell;
  let url: string;
  let dir: string;
  const config = (extra: Record<string, string>) =>
    loadConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', WARDBELL_DATA_DIR: dir, LOG_LEVEL: 'silent', WARDBELL_RATE_LIMITS: 'off', WARDBELL_ACTION_TOKEN_SECRET: 'a'.repeat(40), ...extra });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wardbell-jwks-'));
    pair = await generateKeyPair('RS256');
    await idp.start();
    await idp.publish('k1', pair, 'RS256');
    wb = await createWardbell(config({ WARDBELL_JWKS_URL: idp.url, WARDBELL_JWT_CLAIM_TENANT: 'hospital', WARDBELL_JWT_CLAIM_ROLES: 'realm_access.roles', WARDBELL_JWT_AUDIENCE: 'wardbell' }), { logger: pino({ level: 'silent' }) });
    url = await wb.listen();
  });
  afterAll(async () => {
    await wb?.close();
    await idp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the provider\'s tokens with its claim names, and says it is ready', async () => {
    const token = await new SignJWT({ hospital: 'h1', realm_access: { roles: ['service'] } }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('scheduler').setAudience('wardbell').setExpirationTime('5m').sign(pair.privateKey);
    const res = await fetch(`${url}/api/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'schedule.updated', data: {}, to: { tenant: true } }) });
    expect(res.status).toBe(202);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.jwks).toBe('ok');
  });

  it('stays ready, degraded, while the provider is down, and is not ready without any key', async () => {
    idp.down = true;
    await wb.jwks?.refresh();
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.jwks).toMatch(/^degraded: verifying with 1 key\(s\) fetched at .*; the last fetch failed: HTTP 503$/);
    idp.down = false;
    const empty = new IdentityProvider();
    await empty.start();
    empty.down = true;
    const other = await createWardbell(config({ WARDBELL_JWKS_URL: empty.url, WARDBELL_DATA_DIR: mkdtempSync(join(tmpdir(), 'wardbell-jwks-')) }), { logger: pino({ level: 'silent' }) });
    const otherUrl = await other.listen();
    const r = await fetch(`${otherUrl}/readyz`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { checks: Record<string, string> }).checks.jwks).toMatch(/^no keys from http:\/\/127\.0\.0\.1:\d+\/.well-known\/jwks\.json: HTTP 503$/);
    await other.close();
    await empty.stop();
  });

  it('refuses a JWKS over plain http off loopback, and two ways of verifying at once', () => {
    expect(() => config({ WARDBELL_JWKS_URL: 'http://idp.example/jwks.json' })).toThrow(ConfigError);
    expect(() => config({ WARDBELL_JWKS_URL: idp.url, WARDBELL_JWT_SECRET: 's'.repeat(40) })).toThrow(/one way to verify tokens/);
  });
});
