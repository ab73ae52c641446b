import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Subscription keys at rest. `p256dh` and `auth` are what lets anyone push to a user's device, so
 * they are stored (and backed up) only sealed with AES-256-GCM under the configured key
 * (WARDBELL_PUSH_KEY_ENCRYPTION_KEY). The associated data binds each sealed value to its tenant,
 * user and endpoint: a sealed value copied to another row, or into another tenant's restore, does
 * not open.
 */
export interface KeyBox {
  /** Short fingerprint of the key (not secret), written into backups to explain a mismatch. */
  readonly keyId: string;
  seal(plaintext: string, context: SealContext): string;
  /** The plaintext, or null when the value was sealed under another key or for another context. */
  open(sealed: string, context: SealContext): string | null;
}

export interface SealContext {
  tenantId: string;
  userId: string;
  endpoint: string;
}

const VERSION = 'v1';

function aad(c: SealContext): Buffer {
  return Buffer.from(`wardbell-push-keys\0${c.tenantId}\0${c.userId}\0${c.endpoint}`, 'utf8');
}

/** A key box over a 32-octet key. Throws when the key has another length. */
export function createKeyBox(key: Uint8Array): KeyBox {
  if (key.length !== 32) throw new Error('the push key encryption key must be 32 octets (base64url)');
  const k = Buffer.from(key);
  return {
    keyId: createHash('sha256').update('wardbell-push-kek\0').update(k).digest('base64url').slice(0, 12),
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      cipher.setAAD(aad(context));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}.${iv.toString('base64url')}.${ct.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION) return null;
      try {
        // authTagLength pins the tag to 16 octets: GCM would otherwise accept a truncated, forgeable tag.
        const decipher = createDecipheriv('aes-256-gcm', k, Buffer.from(parts[1] as string, 'base64url'), { authTagLength: 16 });
        decipher.setAAD(aad(context));
        decipher.setAuthTag(Buffer.from(parts[3] as string, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(parts[2] as string, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
