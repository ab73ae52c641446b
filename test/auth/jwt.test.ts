import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, jwtKeyFrom, verifyToken } from '../../packages/wardbell/src/auth/index.js';
import { AppError } from '../../packages/wardbell/src/shared/index.js';

const secret = 'a-test-secret-that-is-at-least-32-chars-long';
const hsKey = jwtKeyFrom(secret, undefined)!;
const enc = new TextEncoder();
const now = () => Math.floor(Date.now() / 1000);

const claims = { tid: 'h1', roles: ['nurse'], wards: ['3'] };
const hs = (payload: Record<string, unknown> = claims, exp: number | null = now() + 60, sub = 'kim') => {
  let j = new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setSubject(sub);
  if (exp !== null) j = j.setExpirationTime(exp);
  return j.sign(enc.encode(secret));
};

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('JWT verification', () => {
  it('accepts an HS256 token and reads the identity from its claims', async () => {
    await expect(verifyToken(await hs(), hsKey)).resolves.toEqual({ tenantId: 'h1', userId: 'kim', roles: ['nurse'], wards: ['3'] });
  });

  it('rejects an expired token', async () => {
    const e = await rejection(verifyToken(await hs(claims, now() - 3600), hsKey));
    expect(e.code).toBe('invalid_token');
    expect(e.message).toMatch(/expired/);
  });

  it('rejects a token without exp', async () => {
    expect((await rejection(verifyToken(await hs(claims, null), hsKey))).code).toBe('invalid_token');
  });

  it('rejects a token without a tenant', async () => {
    expect((await rejection(verifyToken(await hs({ roles: [] }), hsKey))).code).toBe('invalid_token');
  });

  it('rejects a token signed with another secret', async () => {
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('kim').setExpirationTime(now() + 60).sign(enc.encode('another-secret-of-sufficient-length-000'));
    expect((await rejection(verifyToken(forged, hsKey))).code).toBe('invalid_token');
  });

  it('rejects alg none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const body = base64url.encode(JSON.stringify({ ...claims, sub: 'kim', exp: now() + 60 }));
    expect((await rejection(verifyToken(`${header}.${body}.`, hsKey))).code).toBe('invalid_token');
  });

  it('rejects a tampered payload', async () => {
    const [h, , s] = (await hs()).split('.');
    const body = base64url.encode(JSON.stringify({ ...claims, tid: 'h2', sub: 'kim', exp: now() + 60 }));
    expect((await rejection(verifyToken(`${h}.${body}.${s}`, hsKey))).code).toBe('invalid_token');
  });

  it('accepts ES256 with a configured public key and refuses HS256 signed with that key (algorithm confusion)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const key = jwtKeyFrom(undefined, pem)!;
    expect(key.algorithm).toBe('ES256');
    const good = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setSubject('kim').setExpirationTime(now() + 60).sign(privateKey);
    await expect(verifyToken(good, key)).resolves.toMatchObject({ userId: 'kim' });
    const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('kim').setExpirationTime(now() + 60).sign(enc.encode(pem));
    const e = await rejection(verifyToken(confused, key));
    expect(e.message).toMatch(/ES256 only/);
  });

  it('accepts RS256 with an RSA public key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = jwtKeyFrom(undefined, publicKey.export({ type: 'spki', format: 'pem' }).toString())!;
    expect(key.algorithm).toBe('RS256');
    const t = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setSubject('kim').setExpirationTime(now() + 60).sign(privateKey);
    await expect(verifyToken(t, key)).resolves.toMatchObject({ tenantId: 'h1' });
  });

  it('in jwt mode ignores identity headers and needs the bearer token', async () => {
    const auth = createAuthenticator({ mode: 'jwt', key: hsKey });
    const headers: Record<string, string> = { 'x-tenant-id': 'h2', 'x-user-id': 'boss' };
    expect((await rejection(auth.authenticate((n) => headers[n]))).code).toBe('unauthenticated');
    headers.authorization = `Bearer ${await hs()}`;
    await expect(auth.authenticate((n) => headers[n])).resolves.toMatchObject({ tenantId: 'h1', userId: 'kim' });
  });

  it('in trusted-proxy mode reads the gateway headers', async () => {
    const auth = createAuthenticator({ mode: 'trusted-proxy' });
    const headers: Record<string, string> = { 'x-tenant-id': 'h2', 'x-user-id': 'lee', 'x-user-roles': 'nurse, manager', 'x-user-wards': '5' };
    await expect(auth.authenticate((n) => headers[n])).resolves.toEqual({ tenantId: 'h2', userId: 'lee', roles: ['nurse', 'manager'], wards: ['5'] });
    expect((await rejection(auth.authenticate(() => undefined))).code).toBe('unauthenticated');
  });

  describe('remembering verified tokens', () => {
    const bearer = (t: string) => (n: string) => (n === 'authorization' ? `Bearer ${t}` : undefined);

    it('answers a repeated token from memory with the same frozen identity', async () => {
      const auth = createAuthenticator({ mode: 'jwt', key: hsKey });
      const t = await hs();
      const a = await auth.authenticate(bearer(t));
      const b = await auth.authenticate(bearer(t));
      expect(b).toBe(a);
      expect(Object.isFrozen(a) && Object.isFrozen(a.roles) && Object.isFrozen(a.wards)).toBe(true);
      const other = await auth.authenticate(bearer(await hs(claims, now() + 60, 'lee')));
      expect(other.userId).toBe('lee');
      expect(a.userId).toBe('kim');
    });

    it('still refuses a token that differs from a remembered one in any byte', async () => {
      const auth = createAuthenticator({ mode: 'jwt', key: hsKey });
      const t = await hs();
      await auth.authenticate(bearer(t));
      const [h, p, sig] = t.split('.') as [string, string, string];
      const flipped = `${h}.${p}.${sig.slice(0, -2)}${sig.at(-2) === 'A' ? 'B' : 'A'}${sig.at(-1)}`;
      expect((await rejection(auth.authenticate(bearer(flipped)))).code).toBe('invalid_token');
      const otherPayload = base64url.encode(JSON.stringify({ ...claims, tid: 'h2', sub: 'kim', exp: now() + 60 }));
      expect((await rejection(auth.authenticate(bearer(`${h}.${otherPayload}.${sig}`)))).code).toBe('invalid_token');
    });

    it('refuses a remembered token once it has expired (with the same tolerance as verification)', async () => {
      let clock = Date.now();
      const auth = createAuthenticator({ mode: 'jwt', key: hsKey, jwt: { now: () => clock } });
      const t = await hs(claims, Math.floor(clock / 1000) + 10);
      const a = await auth.authenticate(bearer(t));
      clock += 35_000; // past exp, inside the 30 s tolerance
      expect(await auth.authenticate(bearer(t))).toBe(a);
      clock += 10_000; // past exp + 30 s
      const e = await rejection(auth.authenticate(bearer(t)));
      expect(e.code).toBe('invalid_token');
      expect(e.message).toContain('expired');
    });

    it('keeps at most cacheSize tokens, dropping the least recently used', async () => {
      const auth = createAuthenticator({ mode: 'jwt', key: hsKey, cacheSize: 2 });
      const [ta, tb, tc] = await Promise.all(['a', 'b', 'c'].map((u) => hs(claims, now() + 60, u)));
      const a = await auth.authenticate(bearer(ta!));
      const b = await auth.authenticate(bearer(tb!));
      expect(await auth.authenticate(bearer(ta!))).toBe(a); // a is now the most recent
      await auth.authenticate(bearer(tc!)); // evicts b
      expect(await auth.authenticate(bearer(ta!))).toBe(a);
      const b2 = await auth.authenticate(bearer(tb!));
      expect(b2).not.toBe(b);
      expect(b2).toEqual(b);
    });
  });
});
