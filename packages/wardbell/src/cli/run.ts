import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { parseArgs, UsageError, type ParsedArgs } from './args.js';
import { apiKey } from './api-key-commands.js';
import { backup, migrate, restore, token, vapidKeys, type Output } from './commands.js';
import { startService } from './start.js';

export const USAGE = `usage: wardbell <command> [options]

  start                          run the service (the configuration comes from the environment, as always)
  migrate                        bring the store's schema up to date, then exit
  vapid-keys [--data-dir <dir>]  print a new VAPID key pair and key-encryption key as environment lines
  token --tenant <id> --user <id> [--roles a,b] [--wards 3,4] [--ttl <s>]
                                 a development token, signed with the service's HS256 secret
  api-key create --tenant <id>|--platform --scope <s>... [--name <text>] [--json]
                                 a key for server calls, printed once (scopes: publish, send,
                                 directory, workflows, admin; --json prints {"id","key"})
  api-key list [--tenant <id>|--platform] [--json]
  api-key revoke <id>
  backup <file>                  an online copy of the embedded SQLite store
  restore <file> [--force]       put a backup in place of the embedded store (service stopped)

Every command reads the same environment as the service (WARDBELL_DATA_DIR, DATABASE_URL, ...).
`;

type Command = (args: ParsedArgs, config: Config, io: Output) => void | Promise<void>;
const COMMANDS: Record<string, Command> = { migrate, 'vapid-keys': vapidKeys, token, backup, restore, 'api-key': apiKey };

const stdio: Output = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

/**
 * Runs one command; its exit code (0 done, 2 usage or configuration error), or null for `start`,
 * which runs until it is stopped.
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: Output = stdio): Promise<number | null> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.err(`wardbell: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const name = args.words[0];
  if (name === 'help' || args.flags.has('help')) {
    io.out(USAGE);
    return 0;
  }
  if (name === undefined) {
    io.err(USAGE);
    return 2;
  }
  if (name === 'start') {
    if (args.words.length > 1 || args.flags.size > 0) {
      io.err(`wardbell: start takes no options; configure it with environment variables (docs/OPERATIONS.md)\n`);
      return 2;
    }
    await startService(env);
    return null;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`wardbell: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  try {
    await command(args, loadConfig(env), io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(`wardbell ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
