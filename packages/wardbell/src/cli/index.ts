export { runCli, USAGE } from './run.js';
export { startService } from './start.js';
export { parseArgs, UsageError, type ParsedArgs } from './args.js';
