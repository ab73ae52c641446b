import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, jwtKeyFrom, verifyToken } from '../../src/auth/index.js';
import { AppError } from '../../src/shared/errors.js';

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
});
