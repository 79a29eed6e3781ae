import { PROBE_OPTIONS } from '../config/options.js';
import { describeDefault, parseOptionValue } from '../config/parse.js';
import { UsageError } from '../errors.js';
import type { FlagSpec, ParsedArgs } from './args.js';

/**
 * The probe's settings as flags of commands that start a program
 * (`run`, `check -- …`), derived from the option table. Each becomes its
 * environment variable in the child.
 */

const VALUE_NAMES: Record<string, string> = { duration: 'D', path: 'FILE', fraction: 'R', json: 'JSON|FILE' };

export const PROBE_FLAGS: FlagSpec[] = PROBE_OPTIONS.filter((o) => o.flag).map((o) => ({
  name: o.flag as string,
  takes: o.kind === 'boolean' ? 'boolean' : 'value',
  valueName: VALUE_NAMES[o.kind],
  // A setting without a fixed default says its default in its own help.
  help: `${o.help}${o.default === null ? '' : ` Default: ${describeDefault(o)}.`} Sets ${o.env}.`,
}));

/** Validates the probe flags given and returns the variables to set in the child. */
export function probeEnvFromFlags(args: ParsedArgs): Record<string, string> {
  const env: Record<string, string> = {};
  for (const option of PROBE_OPTIONS) {
    if (!option.flag) continue;
    const values = args.flags.get(option.flag);
    if (!values) continue;
    const raw = values.at(-1) as string;
    const parsed = parseOptionValue(option, raw, `--${option.flag}`);
    if (!parsed.ok) throw new UsageError(parsed.message);
    env[option.env] = option.kind === 'boolean' ? (parsed.value ? '1' : '0') : raw;
  }
  return env;
}
