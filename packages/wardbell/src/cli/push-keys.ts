#!/usr/bin/env node
/**
 * `npm run push:keys` (`npx tsx src/cli/push-keys.ts`, or `node dist/src/cli/push-keys.js` after the
 * build; npm passes options after `--`): prints a new VAPID key pair and key-encryption key as
 * environment lines, for deployments that configure keys (every process of a scale-out deployment
 * must share them).
 *
 * `--data-dir <dir>` instead writes them where the embedded default keeps them (and reads them back
 * if they already exist: keys are never replaced, since a new VAPID key orphans every subscription).
 */
import { randomBytes } from 'node:crypto';
import { generateVapidKeys, loadOrCreatePushKeys } from '../push/index.js';

const args = process.argv.slice(2);
const at = args.indexOf('--data-dir');
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write('usage: npm run push:keys [-- --data-dir <dir>]\n');
} else if (at >= 0) {
  const dataDir = args[at + 1];
  if (!dataDir) {
    process.stderr.write('push:keys: --data-dir needs a directory\n');
    process.exit(2);
  }
  const keys = loadOrCreatePushKeys({ dataDir });
  process.stdout.write(`VAPID public key (${keys.source.vapid}): ${keys.vapid.publicKey}\nkey-encryption key: ${keys.source.kek}\n`);
} else {
  const vapid = generateVapidKeys();
  process.stdout.write(
    `WARDBELL_VAPID_PUBLIC_KEY=${vapid.publicKey}\n` +
      `WARDBELL_VAPID_PRIVATE_KEY=${vapid.privateKey}\n` +
      `WARDBELL_PUSH_KEY_ENCRYPTION_KEY=${randomBytes(32).toString('base64url')}\n`,
  );
}
