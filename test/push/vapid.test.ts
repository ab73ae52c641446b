import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vapidAudience, buildVapidJwt, checkVapidClaims, checkVapidKeys, generateVapidKeys, vapidAuthorization, vapidSigningKey, VapidSigner } from '../../packages/wardbell/src/push/vapid.js';
import { verifyVapid } from './helpers/fake-push-service.js';

const v = JSON.parse(readFileSync(new URL('../fixtures/vectors/rfc8292.json', import.meta.url), 'utf8')) as Record<string, any>;
const T0 = Date.UTC(2026, 0, 15, 8, 0, 0);
const ENDPOINT = 'https://push.example.net/p/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV';

describe('the RFC 8292 example', () => {
  it('is the vapid scheme header: "vapid t=<jwt>, k=<key>" (Section 3)', () => {
    expect(vapidAuthorization(v.jwt, v.k)).toBe(v.header_forms.rfc8292_vapid_scheme.Authorization);
  });

  it('verifies with the key k at a time before its exp, with aud the push service origin', async () => {
    const at = Date.parse(v.valid_until) - 3600_000;
    const r = await verifyVapid(v.header_forms.rfc8292_vapid_scheme.Authorization, 'https://push.example.net', at);
    expect(r).toEqual({ ok: true, claims: v.jwt_claims });
    expect(checkVapidClaims(v.jwt_claims, ENDPOINT, at)).toEqual([]);
  });

  it('no longer verifies after its exp', async () => {
    const r = await verifyVapid(v.header_forms.rfc8292_vapid_scheme.Authorization, 'https://push.example.net', Date.parse(v.valid_until) + 1000);
    expect(r.ok).toBe(false);
  });
});

describe('our VAPID tokens', () => {
  const keys = generateVapidKeys();
  const signer = () => {
    let now = T0;
    const s = new VapidSigner({ keys, subject: 'mailto:ops@hospital.example', now: () => now });
    return { s, advance: (ms: number) => (now += ms) };
  };

  it('generates a valid P-256 key pair (65-octet uncompressed public key, 32-octet private key)', () => {
    expect(Buffer.from(keys.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(keys.privateKey, 'base64url')).toHaveLength(32);
    expect(checkVapidKeys(keys)).toBeNull();
    expect(checkVapidKeys({ publicKey: generateVapidKeys().publicKey, privateKey: keys.privateKey })).toMatch(/does not belong/);
    expect(checkVapidKeys({ publicKey: keys.publicKey, privateKey: 'short' })).toMatch(/32 octets/);
  });

  it('signs a JWT that an independent verifier accepts: ES256, raw r||s, aud = origin, exp within 24 h, sub', async () => {
    const { s } = signer();
    const header = s.authorization(ENDPOINT);
    expect(header).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    expect(header.endsWith(`, k=${keys.publicKey}`)).toBe(true);
    const r = await verifyVapid(header, 'https://push.example.net', T0, keys.publicKey);
    expect(r).toEqual({ ok: true, claims: { aud: 'https://push.example.net', exp: T0 / 1000 + 12 * 3600, sub: 'mailto:ops@hospital.example' } });
    const jwt = /t=([^,]+)/.exec(header)?.[1] ?? '';
    expect(JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'ES256' });
    expect(Buffer.from(jwt.split('.')[2] ?? '', 'base64url')).toHaveLength(64);
  });

  it('reuses one token per push-service origin, and a different one for another origin', () => {
    const { s, advance } = signer();
    const a = s.authorization('https://fcm.googleapis.com/fcm/send/one');
    advance(3600_000);
    expect(s.authorization('https://fcm.googleapis.com/fcm/send/two')).toBe(a);
    expect(s.authorization('https://updates.push.services.mozilla.com/wpush/v2/x')).not.toBe(a);
    expect(s.signed).toBe(2);
  });

  it('renews a token an hour before it expires, so no request carries a stale one', async () => {
    const { s, advance } = signer();
    const a = s.authorization(ENDPOINT);
    advance(11 * 3600_000 - 1000);
    expect(s.authorization(ENDPOINT)).toBe(a);
    advance(2000);
    const b = s.authorization(ENDPOINT);
    expect(b).not.toBe(a);
    expect((await verifyVapid(b, 'https://push.example.net', T0 + 11 * 3600_000 + 1000)).ok).toBe(true);
  });

  it('caps the lifetime at 24 hours (RFC 8292 Section 2)', async () => {
    const s = new VapidSigner({ keys, subject: 'mailto:a@b.example', now: () => T0, lifetimeS: 48 * 3600 });
    const r = await verifyVapid(s.authorization(ENDPOINT), 'https://push.example.net', T0);
    expect(r.ok && r.claims.exp).toBe(T0 / 1000 + 24 * 3600);
  });

  it('takes aud from the origin of the endpoint, with a non-default port, never the path', () => {
    expect(vapidAudience('https://push.example.net:8443/p/abc?x=1')).toBe('https://push.example.net:8443');
    expect(vapidAudience('https://push.example.net:443/p/abc')).toBe('https://push.example.net');
  });
});

describe('the negative cases of RFC 8292', () => {
  const keys = generateVapidKeys();
  const key = vapidSigningKey(keys);
  const nowS = T0 / 1000;
  const good = { aud: 'https://push.example.net', exp: nowS + 3600, sub: 'mailto:push@example.com' };
  const header = (claims: typeof good) => vapidAuthorization(buildVapidJwt(claims, key), keys.publicKey);

  it.each([
    ['exp in the past', { ...good, exp: nowS - 1 }, /exp|timestamp/],
    ['exp = now + 25 h', { ...good, exp: nowS + 25 * 3600 }, /24 hours/],
    ['aud = the full endpoint URL instead of the origin', { ...good, aud: ENDPOINT }, /aud/],
    ['aud of another push service (a token reused across services)', { ...good, aud: 'https://fcm.googleapis.com' }, /aud/],
  ])('rejects %s, both in our claim check and at the push service', async (_name, claims, problem) => {
    expect(checkVapidClaims(claims, ENDPOINT, T0).join('; ')).toMatch(problem);
    const r = await verifyVapid(header(claims), 'https://push.example.net', T0);
    expect(r.ok).toBe(false);
  });

  it('rejects a k that is not the applicationServerKey the subscription was made with', async () => {
    const r = await verifyVapid(header(good), 'https://push.example.net', T0, generateVapidKeys().publicKey);
    expect(r).toEqual({ ok: false, problem: 'k is not the key this subscription was made with' });
  });

  it('rejects a DER-encoded signature: JWS ES256 needs the raw 64 octets', async () => {
    const body = buildVapidJwt(good, key).split('.').slice(0, 2).join('.');
    const der = sign('sha256', Buffer.from(body), createPrivateKey(key.export({ format: 'pem', type: 'pkcs8' })));
    expect(der.length).toBeGreaterThan(64);
    const r = await verifyVapid(vapidAuthorization(`${body}.${der.toString('base64url')}`, keys.publicKey), 'https://push.example.net', T0);
    expect(r.ok).toBe(false);
  });

  it('rejects a token signed by another key than k', async () => {
    const other = vapidSigningKey(generateVapidKeys());
    const r = await verifyVapid(vapidAuthorization(buildVapidJwt(good, other), keys.publicKey), 'https://push.example.net', T0);
    expect(r.ok).toBe(false);
  });

  it('flags a subject that is not a mailto: or https: contact', () => {
    expect(checkVapidClaims({ ...good, sub: 'ops@example.com' }, ENDPOINT, T0)).toEqual(['sub should be a mailto: or https: contact']);
  });
});

describe('generated VAPID keys', () => {
  it('always have a 32-octet private key, also when the scalar starts with zero octets', async () => {
    const { generateVapidKeys } = await import('../../packages/wardbell/src/push/vapid.js');
    for (let i = 0; i < 2000; i++) {
      expect(Buffer.from(generateVapidKeys().privateKey, 'base64url')).toHaveLength(32);
    }
  });
});
