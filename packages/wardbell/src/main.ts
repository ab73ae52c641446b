#!/usr/bin/env node
/** Process entry of the service (`npm start`, `wardbell start`): the only place that reads process.env. */
import { startService } from './cli/index.js';

startService(process.env).catch((err: unknown) => {
  process.stderr.write(`wardbell: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
