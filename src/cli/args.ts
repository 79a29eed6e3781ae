import { UsageError } from '../errors.js';

/**
 * A small command-line parser: `--name value`, `--name=value`, boolean
 * `--name`, positional arguments, and `--` after which everything is the
 * command to run. Unknown flags and missing values are usage errors that
 * name the flag and the command.
 */

export interface FlagSpec {
  name: string;
  /** `value` flags take an argument; `boolean` ones do not. */
  takes: 'value' | 'boolean';
  /** Shown in --help after the flag, e.g. `D` or `FILE`. */
  valueName?: string;
  help: string;
  /** May be given more than once; values are collected in order. */
  repeatable?: boolean;
}

export interface ParsedArgs {
  flags: Map<string, string[]>;
  positionals: string[];
  /** Everything after `--`, or null when there was no `--`. */
  command: string[] | null;
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], commandName: string): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  let command: string[] | null = null;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      command = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') {
        throw new UsageError(`unknown option ${arg} for '${commandName}'; see '${commandName} --help'`);
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option --${name} for '${commandName}'; see '${commandName} --help'`);
    let value: string;
    if (spec.takes === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value; got "${arg.slice(eq + 1)}"`);
      value = 'true';
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next === '--' || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`--${name} needs a value (${spec.valueName ?? 'VALUE'}); see '${commandName} --help'`);
      }
      value = next;
      i++;
    }
    const seen = flags.get(name);
    if (seen && !spec.repeatable) throw new UsageError(`--${name} was given more than once`);
    flags.set(name, [...(seen ?? []), value]);
  }
  return { flags, positionals, command };
}

export function flagValue(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.at(-1);
}

export function hasFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

export function renderFlagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const head = s.takes === 'value' ? `--${s.name} ${s.valueName ?? 'VALUE'}` : `--${s.name}`;
    return { head, help: s.help };
  });
  const width = Math.min(28, Math.max(...rows.map((r) => r.head.length)) + 2);
  return rows
    .map((r) => {
      const lines = wrap(r.help, 78 - width - 2);
      const first = `  ${r.head.padEnd(width)}${lines[0] ?? ''}`;
      const rest = lines.slice(1).map((l) => `  ${' '.repeat(width)}${l}`);
      const headTooLong = r.head.length >= width;
      return headTooLong ? [`  ${r.head}`, ...lines.map((l) => `  ${' '.repeat(width)}${l}`)].join('\n') : [first, ...rest].join('\n');
    })
    .join('\n');
}

export function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
