/**
 * The command line's words (pure): `<command> [<sub>] --flag value --flag=value --switch`, flags
 * possibly repeated. What a command accepts is checked by the command, with `flagValue`/`flagList`.
 */
export interface ParsedArgs {
  /** The words before the first flag: the command and its subcommand. */
  words: string[];
  flags: Map<string, string[]>;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const words: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (k: string, v: string) => flags.set(k, [...(flags.get(k) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-h') {
      add('help', 'true');
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 2) add(a.slice(2, eq), a.slice(eq + 1));
      else {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('--')) {
          add(a.slice(2), next);
          i++;
        } else add(a.slice(2), 'true');
      }
    } else if (flags.size === 0) {
      words.push(a);
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
    }
  }
  return { words, flags };
}

/** Refuses flags the command does not know. */
export function onlyFlags(args: ParsedArgs, known: readonly string[]): void {
  for (const k of args.flags.keys()) if (!known.includes(k) && k !== 'help') throw new UsageError(`unknown option --${k}`);
}

/** A flag given at most once; its value, or undefined. */
export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (!v) return undefined;
  if (v.length > 1) throw new UsageError(`--${name} given more than once`);
  return v[0];
}

export function requiredFlag(args: ParsedArgs, name: string): string {
  const v = flagValue(args, name);
  if (v === undefined || v === 'true') throw new UsageError(`--${name} <value> is required`);
  return v;
}

/** A flag that may be repeated or comma-separated: every value, trimmed, empties dropped. */
export function flagList(args: ParsedArgs, name: string): string[] {
  return (args.flags.get(name) ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

export const hasFlag = (args: ParsedArgs, name: string) => args.flags.has(name);
