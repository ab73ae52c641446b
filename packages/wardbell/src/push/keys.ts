import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/index.js';
import { checkVapidKeys, generateVapidKeys, type VapidKeys } from './vapid.js';

/** File names under WARDBELL_DATA_DIR for the embedded default. */
export const VAPID_KEYS_FILE = 'vapid-keys.json';
export const KEK_FILE = 'push-key-encryption-key';

export interface PushKeySettings {
  dataDir: string;
  vapidPublicKey?: string | undefined;
  vapidPrivateKey?: string | undefined;
  keyEncryptionKey?: string | undefined;
}

export interface PushKeys {
  vapid: VapidKeys;
  kek: Buffer;
  /** Where each came from, for the start-up log. */
  source: { vapid: 'config' | 'file' | 'generated'; kek: 'config' | 'file' | 'generated' };
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
}

/**
 * The VAPID key pair and the key-encryption key: from the configuration when set (required for
 * several processes, which must share them); otherwise generated once and kept under the data
 * directory, so the embedded default works on a fresh machine and keeps its keys across restarts.
 * Bad settings throw ConfigError (the process exits with the fix hint).
 * Losing the VAPID keys orphans every subscription (RFC 8292 Section 4: push services refuse a
 * different key), so they are never regenerated over an existing file.
 */
export function loadOrCreatePushKeys(s: PushKeySettings): PushKeys {
  let vapid: VapidKeys;
  let vapidSource: PushKeys['source']['vapid'];
  if (s.vapidPublicKey || s.vapidPrivateKey) {
    if (!s.vapidPublicKey || !s.vapidPrivateKey) {
      throw new ConfigError('Set both WARDBELL_VAPID_PUBLIC_KEY and WARDBELL_VAPID_PRIVATE_KEY, or neither.\n  fix: generate a pair with `npm run push:keys`');
    }
    vapid = { publicKey: s.vapidPublicKey, privateKey: s.vapidPrivateKey };
    vapidSource = 'config';
  } else {
    const path = join(s.dataDir, VAPID_KEYS_FILE);
    if (existsSync(path)) {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<VapidKeys>;
      vapid = { publicKey: String(parsed.publicKey ?? ''), privateKey: String(parsed.privateKey ?? '') };
      vapidSource = 'file';
    } else {
      mkdirSync(s.dataDir, { recursive: true });
      vapid = generateVapidKeys();
      writeSecret(path, `${JSON.stringify(vapid, null, 2)}\n`);
      vapidSource = 'generated';
    }
  }
  const problem = checkVapidKeys(vapid);
  if (problem) throw new ConfigError(`VAPID keys (${vapidSource}): ${problem}.\n  fix: generate a pair with \`npm run push:keys\``);

  let kek: Buffer;
  let kekSource: PushKeys['source']['kek'];
  if (s.keyEncryptionKey) {
    kek = Buffer.from(s.keyEncryptionKey, 'base64url');
    kekSource = 'config';
  } else {
    const path = join(s.dataDir, KEK_FILE);
    if (existsSync(path)) {
      kek = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
      kekSource = 'file';
    } else {
      mkdirSync(s.dataDir, { recursive: true });
      kek = randomBytes(32);
      writeSecret(path, `${kek.toString('base64url')}\n`);
      kekSource = 'generated';
    }
  }
  if (kek.length !== 32) throw new ConfigError(`WARDBELL_PUSH_KEY_ENCRYPTION_KEY (${kekSource}) must be 32 octets, base64url.\n  fix: node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`);
  return { vapid, kek, source: { vapid: vapidSource, kek: kekSource } };
}
