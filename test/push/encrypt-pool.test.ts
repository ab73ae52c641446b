import { createECDH, randomBytes } from 'node:crypto';
import ece from 'http_ece';
import { afterAll, describe, expect, it } from 'vitest';
import { EncryptionError } from '../../packages/wardbell/src/push/ece.js';
import { EncryptPool } from '../../packages/wardbell/src/push/encrypt-pool.js';

const pool = new EncryptPool(2);
afterAll(() => pool.close());

function browser() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, uaPublic: ecdh.getPublicKey(), authSecret: randomBytes(16) };
}

describe('encryption threads', () => {
  it('encrypts many messages in batches, each decryptable by its own subscriber', async () => {
    const users = Array.from({ length: 200 }, browser);
    const bodies = await Promise.all(users.map((u, i) => pool.encrypt({ uaPublic: u.uaPublic, authSecret: u.authSecret, plaintext: Buffer.from(`message ${i} 응급`) })));
    bodies.forEach((b, i) => {
      const u = users[i]!;
      expect(ece.decrypt(b, { version: 'aes128gcm', privateKey: u.ecdh, authSecret: u.authSecret }).toString()).toBe(`message ${i} 응급`);
    });
  });

  it('rejects with an EncryptionError for a bad key, and keeps working for the others', async () => {
    const u = browser();
    const bad = pool.encrypt({ uaPublic: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 9)]), authSecret: u.authSecret, plaintext: Buffer.from('x') });
    const good = pool.encrypt({ uaPublic: u.uaPublic, authSecret: u.authSecret, plaintext: Buffer.from('fine') });
    await expect(bad).rejects.toThrow(EncryptionError);
    expect(ece.decrypt(await good, { version: 'aes128gcm', privateKey: u.ecdh, authSecret: u.authSecret }).toString()).toBe('fine');
  });

  it('leaves the caller\'s buffers usable (jobs are copied, not transferred away)', async () => {
    const u = browser();
    const plaintext = Buffer.from('keep me');
    await pool.encrypt({ uaPublic: u.uaPublic, authSecret: u.authSecret, plaintext });
    expect(plaintext.toString()).toBe('keep me');
    expect(u.uaPublic).toHaveLength(65);
  });
});
