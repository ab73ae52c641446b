import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The development secret: made once and kept under the data directory, so development tokens
 * survive a restart. Never used in production (the composition root refuses to start there).
 */
export function loadOrCreateDevSecret(dataDir: string, name = 'dev-jwt-secret'): { secret: string; created: boolean; path: string } {
  const path = join(dataDir, name);
  if (existsSync(path)) {
    const secret = readFileSync(path, 'utf8').trim();
    if (secret.length >= 32) return { secret, created: false, path };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return { secret, created: true, path };
}
