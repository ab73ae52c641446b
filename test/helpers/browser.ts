/**
 * The one way a test gets a browser: headless Chromium driven by playwright-core.
 *
 * Which Chromium: the binary at `WARDBELL_CHROMIUM` when that is set, else Debian's
 * `/usr/bin/chromium` (`apt-get install chromium`). Nothing is downloaded and nothing else is
 * searched. (The Chromium builds that npm packages ship are headless-shell builds: they block
 * notifications, so the service-worker suite cannot run on them.)
 *
 * Without that binary a browser suite is skipped with one line saying which suite was not run and
 * the command that installs Chromium; under CI (`CI` set) it fails with that line instead, so CI
 * cannot pass without the browser suites.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where Chromium is looked for when `WARDBELL_CHROMIUM` is not set: Debian's package. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/** The one command that installs it (as root). */
export const INSTALL_CHROMIUM = 'apt-get update && apt-get install -y chromium';

/** Flags for a quiet headless run as root; playwright-core adds --headless and a fresh profile directory. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const underCi = (): boolean => !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** The path that the rule above names, whether or not a browser is there. */
export function chromiumPath(): string {
  return process.env.WARDBELL_CHROMIUM || DEBIAN_CHROMIUM;
}

/** The Chromium to use, or null when there is no executable at {@link chromiumPath}. */
export function findChromium(): string | null {
  const path = chromiumPath();
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return null;
  }
}

/** What is missing and how to fix it, for the suite in `file`. */
function missing(file: string): string {
  const where = process.env.WARDBELL_CHROMIUM ? `${chromiumPath()} (WARDBELL_CHROMIUM)` : chromiumPath();
  return `browser suite not run: ${file} (no Chromium at ${where}); install it with: ${INSTALL_CHROMIUM}`;
}

/**
 * Whether the browser suite in the calling file (pass `import.meta.url`) is to be skipped: true,
 * after printing one line, when there is no Chromium and `CI` is not set. Under CI it is never
 * skipped, and {@link launchChromium} fails with the same line.
 */
export function skipWithoutChromium(fileUrl: string): boolean {
  if (findChromium() || underCi()) return false;
  console.warn(missing(relative(REPO, fileURLToPath(fileUrl))));
  return true;
}

/** Launches the Chromium that {@link findChromium} finds, headless; throws the fix when there is none. */
export async function launchChromium(fileUrl?: string): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) {
    const err = new Error(missing(fileUrl ? relative(REPO, fileURLToPath(fileUrl)) : 'this suite'));
    err.stack = err.message;
    throw err;
  }
  return chromium.launch({ executablePath, args: ARGS });
}
