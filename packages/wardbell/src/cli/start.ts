import { ConfigError, loadConfig } from '../config/index.js';
import { createWardbell } from '../compose.js';

/**
 * `wardbell start`: runs the service until SIGTERM or SIGINT, then shuts down gracefully (streams
 * told when to come back, work in flight finished). A configuration error exits with 2 and says
 * how to fix it.
 */
export async function startService(env: NodeJS.ProcessEnv): Promise<void> {
  let wardbell;
  try {
    wardbell = await createWardbell(loadConfig(env));
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
