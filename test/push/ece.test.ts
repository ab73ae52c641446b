import { createECDH, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ece from 'http_ece';
import { describe, expect, it } from 'vitest';
import { checkSubscriptionKeys, encryptPushPayload, EncryptionError, MAX_PLAINTEXT_OCTETS } from '../../packages/wardbell/src/push/ece.js';
import { buildPushRequest } from '../../packages/wardbell/src/push/request.js';

const v = JSON.parse(readFileSync(new URL('../fixtures/vectors/rfc8291.json', import.meta.url), 'utf8')) as Record<string, any>;
const b = (s: string) => Buffer.from(s, 'base64url');

function browser() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey(), auth: randomBytes(16) };
}

describe('RFC 8291 encryption (aes128gcm)', () => {
  it('reproduces the RFC 8291 Section 5 example body byte for byte with its fixed keys and salt', () => {
    const body = encryptPushPayload({
      uaPublic: b(v.ua_public),
      authSecret: b(v.auth_secret),
      plaintext: b(v.plaintext),
      fixed: { asPrivate: b(v.as_private), salt: b(v.salt) },
    });
    expect(body.toString('base64url')).toBe(v.body);
    expect(body.length).toBe(v.body_length_octets);
    expect(body.subarray(0, 86).toString('base64url')).toBe(v.intermediate.header_86_octets);
    expect(body.subarray(86).toString('base64url')).toBe(v.intermediate.ciphertext_with_tag);
  });

  it('produces a body the independent http_ece implementation decrypts, as the user agent of the example', () => {
    const ua = createECDH('prime256v1');
    ua.setPrivateKey(b(v.ua_private));
    const body = encryptPushPayload({ uaPublic: b(v.ua_public), authSecret: b(v.auth_secret), plaintext: Buffer.from('Emergency: ward 3 needs a nurse now') });
    expect(ece.decrypt(body, { version: 'aes128gcm', privateKey: ua, authSecret: v.auth_secret }).toString()).toBe('Emergency: ward 3 needs a nurse now');
  });

  it('decrypts the RFC example body with http_ece (the vector itself is sound)', () => {
    const ua = createECDH('prime256v1');
    ua.setPrivateKey(b(v.ua_private));
    expect(ece.decrypt(b(v.body), { version: 'aes128gcm', privateKey: ua, authSecret: v.auth_secret }).toString()).toBe(v.plaintext_utf8);
  });

  it('uses a fresh sender key and salt for every message (RFC 8291 Section 3.1, RFC 8188 Section 2.1)', () => {
    const u = browser();
    const one = encryptPushPayload({ uaPublic: u.p256dh, authSecret: u.auth, plaintext: Buffer.from('same') });
    const two = encryptPushPayload({ uaPublic: u.p256dh, authSecret: u.auth, plaintext: Buffer.from('same') });
    expect(one.subarray(0, 16).equals(two.subarray(0, 16))).toBe(false);
    expect(one.subarray(21, 86).equals(two.subarray(21, 86))).toBe(false);
  });

  it('writes the header of RFC 8291 Section 4: record size 4096 and a 65-octet keyid', () => {
    const u = browser();
    const body = encryptPushPayload({ uaPublic: u.p256dh, authSecret: u.auth, plaintext: Buffer.from('x') });
    expect(body.readUInt32BE(16)).toBe(4096);
    expect(body[20]).toBe(65);
    expect(body[21]).toBe(4);
    expect(body.length).toBe(86 + 1 + 1 + 16);
  });

  it('takes the largest plaintext that keeps the body within 4096 octets, and refuses one more octet', () => {
    const u = browser();
    const max = encryptPushPayload({ uaPublic: u.p256dh, authSecret: u.auth, plaintext: Buffer.alloc(MAX_PLAINTEXT_OCTETS, 0x61) });
    expect(max.length).toBe(4096);
    expect(ece.decrypt(max, { version: 'aes128gcm', privateKey: u.ecdh, authSecret: u.auth }).length).toBe(MAX_PLAINTEXT_OCTETS);
    expect(() => encryptPushPayload({ uaPublic: u.p256dh, authSecret: u.auth, plaintext: Buffer.alloc(MAX_PLAINTEXT_OCTETS + 1) })).toThrow(EncryptionError);
  });

  it('pads on request and the padding is removed by the receiver', () => {
    const u = browser();
    const body = encryptPushPayload({ uaPublic: u.p256dh, authSecret: u.auth, plaintext: Buffer.from('hi'), padding: 100 });
    expect(body.length).toBe(86 + 2 + 1 + 100 + 16);
    expect(ece.decrypt(body, { version: 'aes128gcm', privateKey: u.ecdh, authSecret: u.auth }).toString()).toBe('hi');
  });

  it.each([
    ['a compressed key', () => Buffer.concat([Buffer.from([2]), randomBytes(32)]), randomBytes(16), 'uncompressed'],
    ['a point off the curve', () => Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]), randomBytes(16), 'not a point'],
    ['a short auth secret', () => browser().p256dh, randomBytes(8), 'auth must be 16'],
  ])('refuses %s', (_name, key, auth, message) => {
    expect(() => encryptPushPayload({ uaPublic: key(), authSecret: auth, plaintext: Buffer.from('x') })).toThrow(message);
    expect(checkSubscriptionKeys(key(), auth)).toMatch(/must|not a point/);
  });

  it('accepts a real browser key pair', () => {
    const u = browser();
    expect(checkSubscriptionKeys(u.p256dh, u.auth)).toBeNull();
  });
});

describe('building the request (RFC 8030 Section 5)', () => {
  it('sets TTL, Urgency, Topic, Content-Encoding, the real Content-Length and the VAPID Authorization', () => {
    const req = buildPushRequest({
      endpoint: 'https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV',
      p256dh: b(v.ua_public),
      auth: b(v.auth_secret),
      payload: b(v.plaintext),
      ttl: 10,
      urgency: 'high',
      topic: 'ward3-emergency',
      authorization: 'vapid t=a.b.c, k=K',
      fixed: { asPrivate: b(v.as_private), salt: b(v.salt) },
    });
    expect(req.url).toBe('https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV');
    expect(req.headers).toEqual({
      TTL: '10',
      Urgency: 'high',
      Topic: 'ward3-emergency',
      'Content-Encoding': 'aes128gcm',
      'Content-Type': 'application/octet-stream',
      // The RFC's example says 145; the body is 144 octets (see test/fixtures/vectors/README.md).
      'Content-Length': '144',
      Authorization: 'vapid t=a.b.c, k=K',
    });
    expect(req.body.toString('base64url')).toBe(v.body);
  });

  it.each(['has space', 'x'.repeat(33), 'plus+slash/', ''])('refuses the Topic %j (RFC 8030 Section 5.4: 32 base64url characters)', (topic) => {
    expect(() => buildPushRequest({ endpoint: 'https://p.example/x', p256dh: b(v.ua_public), auth: b(v.auth_secret), payload: Buffer.from('x'), ttl: 1, urgency: 'low', topic, authorization: 'vapid t=a.b.c, k=K' })).toThrow('Topic');
  });
});
