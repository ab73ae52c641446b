#!/usr/bin/env node
import { ConfigError, loadConfig } from './config/index.js';
import { createWardbell } from './compose.js';

/** Process entry: the only place that reads process.env. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`wardbell: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let wardbell;
  try {
    wardbell = await createWardbell(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`wardbell: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const url = await wardbell.listen();
  wardbell.logger.info({ url, console: `${url}/api-test/realtime`, openapi: `${url}/api/openapi.json` }, 'wardbell listening');
  process.stdout.write(`\nWardbell is running at ${url}\n  console:  ${url}/api-test/realtime\n  API:      ${url}/api/openapi.json\n\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    wardbell.logger.info({ signal }, 'shutting down');
    wardbell
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        wardbell.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`wardbell: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
