import { writeFileSync } from 'node:fs';
import { formatMs } from '../config/duration.js';
import { findOption } from '../config/options.js';
import { UsageError } from '../errors.js';
import { readRecording } from '../record/read.js';
import {
  emptyBudget, findBudget, readBudget, withFlagLimits, type Budget,
} from '../check/budget.js';
import { judge } from '../check/judge.js';
import type { CommandOutcome } from '../check/verdict.js';
import { LIMITS, type LimitKind, type Limits } from '../check/limits.js';
import { measureRecording } from '../check/measure.js';
import { appendSummary, githubEnvOf, renderAnnotations } from '../check/output/github.js';
import { renderJson } from '../check/output/json.js';
import { renderJunit } from '../check/output/junit.js';
import { renderMarkdown } from '../check/output/markdown.js';
import { renderCheckText } from '../check/output/text.js';
import { parseLimitValue } from '../check/values.js';
import { flagValue, parseArgs, renderFlagHelp, type FlagSpec, type ParsedArgs } from './args.js';
import { PROBE_FLAGS, probeEnvFromFlags } from './probe-flags.js';
import { resolvePaths } from './report.js';
import { runProbed } from './spawn.js';

/**
 * `starve-probe check`: only wiring. Limits come from the limit table
 * (check/limits.ts), the budget file and the flags; the verdict from
 * check/judge.ts; the formats from check/output/.
 */

const VALUE_NAMES: Record<LimitKind, string | undefined> = {
  duration: 'D', ratio: 'R', count: 'N', margin: 'D|P%', switch: undefined,
};

const LIMIT_FLAGS: FlagSpec[] = LIMITS.map((l) => ({
  name: l.flag,
  takes: l.kind === 'switch' ? 'boolean' : 'value',
  valueName: VALUE_NAMES[l.kind],
  help: l.help,
}));

const OUTPUT_FLAGS: FlagSpec[] = [
  {
    name: 'budget', takes: 'value', valueName: 'FILE',
    help: 'Read limits from this budget file instead of ./starve-probe.budget.json. ' +
      'Flags override its top-level limits.',
  },
  {
    name: 'strict', takes: 'boolean',
    help: 'A limit without enough data (no samples, no leases) fails instead of being reported.',
  },
  {
    name: 'junit', takes: 'value', valueName: 'FILE',
    help: 'Also write the verdict as JUnit XML: one test case per limit.',
  },
  {
    name: 'markdown', takes: 'value', valueName: 'FILE',
    help: 'Also write the verdict as Markdown (what GitHub Actions gets in its job summary).',
  },
  {
    name: 'json', takes: 'boolean',
    help: "Print the verdict as JSON instead of text; the command's own stdout goes to stderr.",
  },
  { name: 'help', takes: 'boolean', help: 'Show this help.' },
];

const FLAGS: FlagSpec[] = [...LIMIT_FLAGS, ...OUTPUT_FLAGS, ...PROBE_FLAGS];

export const CHECK_HELP = `Usage: starve-probe check [limits] -- <command> [args…]
       starve-probe check [limits] RECORDING…

Runs the command under the probe (or reads recordings: files, or
directories of .ndjson files) and checks the limits. Prints one line per
limit with the measured value, the limit and PASS or FAIL, then the
evidence of each failure: the worst block's site and stack, or the lease
and the block that expired it.

Limits (also read from ./starve-probe.budget.json or --budget FILE):
${renderFlagHelp(LIMIT_FLAGS)}

Options:
${renderFlagHelp(OUTPUT_FLAGS)}

Probe options, when check runs the command:
${renderFlagHelp(PROBE_FLAGS)}

On GitHub Actions (GITHUB_ACTIONS=true) failures are also written as
error annotations on the blocking line, and the Markdown verdict is
appended to $GITHUB_STEP_SUMMARY.

Exit codes: 0 every limit holds; 1 a limit is broken or the command
failed; 2 a usage error, an unreadable recording, an invalid budget file,
or a command that could not start.
`;

const THRESHOLD = findOption('thresholdMs');

export async function checkCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'starve-probe check');
  if (args.flags.has('help')) {
    process.stdout.write(CHECK_HELP);
    return 0;
  }
  const cwd = process.cwd();
  const budget = loadBudget(args, cwd);
  for (const name of ['junit', 'markdown', 'budget']) {
    if (flagValue(args, name) === '') throw new UsageError(`--${name} needs a file name`);
  }
  const json = args.flags.has('json');

  const input = args.command
    ? await runAndFind(args, args.command, budget, cwd, json)
    : givenRecordings(args);
  if (typeof input === 'number') return input;

  const measures = input.paths.map((path) => measureRecording(readRecording(path)));
  const strict = args.flags.has('strict');
  const verdict = judge(measures, budget, { strict, cwd, command: input.command });
  if (verdict.results.length === 0) {
    // Lease expiry is judged by default, but only when a recording has leases.
    throw new UsageError('no limits to check: give one such as --max-block 200ms, ' +
      'or write a starve-probe.budget.json (see docs/ci.md)');
  }

  const github = githubEnvOf(process.env, cwd);
  if (github) (json ? process.stderr : process.stdout).write(renderAnnotations(verdict, github));
  process.stdout.write(json ? renderJson(verdict) : renderCheckText(verdict, cwd));
  writeOutput(flagValue(args, 'junit'), () => renderJunit(verdict, cwd, new Date()));
  writeOutput(flagValue(args, 'markdown'), () => renderMarkdown(verdict, cwd));
  if (github) {
    try {
      appendSummary(verdict, github, cwd);
    } catch (error) {
      // The verdict stands; only its copy in the job summary is lost.
      const why = (error as Error).message;
      process.stderr.write(`starve-probe check: cannot append to GITHUB_STEP_SUMMARY: ${why}\n`);
    }
  }
  return verdict.ok ? 0 : 1;
}

interface Input {
  paths: string[];
  command: CommandOutcome | null;
}

/** Runs the command under the probe; an exit code when there is nothing to judge. */
async function runAndFind(
  args: ParsedArgs, command: string[], budget: Budget, cwd: string, json: boolean,
): Promise<Input | number> {
  if (args.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${args.positionals[0]}" before "--"; ` +
      'recordings or a command, not both');
  }
  if (command.length === 0) {
    throw new UsageError("no command after --: write 'starve-probe check --max-block 200ms -- " +
      "node app.js'");
  }
  const env = probeEnvFromFlags(args);
  lowerThreshold(env, budget);
  const run = await runProbed(command, env, cwd, { stdoutToStderr: json });
  if (run.startError) {
    process.stderr.write(`starve-probe check: ${run.startError}\n`);
    return 2;
  }
  if (run.recordings.length === 0) {
    process.stderr.write('starve-probe check: no recording was written, so nothing can be ' +
      'checked (was the command a Node.js program?)\n');
    return 2;
  }
  return { paths: run.recordings, command: { argv: command, code: run.code, signal: run.signal } };
}

function givenRecordings(args: ParsedArgs): Input {
  const probeFlag = PROBE_FLAGS.find((f) => args.flags.has(f.name));
  if (probeFlag) {
    throw new UsageError(`--${probeFlag.name} only applies when check runs a command (after --)`);
  }
  if (args.positionals.length === 0) {
    throw new UsageError('nothing to check: give recordings (\'starve-probe check ' +
      "--max-block 200ms run.ndjson') or a command after --");
  }
  return { paths: resolvePaths(args.positionals), command: null };
}

function loadBudget(args: ParsedArgs, cwd: string): Budget {
  const flagLimits: Record<string, unknown> = {};
  for (const spec of LIMITS) {
    const values = args.flags.get(spec.flag);
    if (!values) continue;
    const raw = spec.kind === 'switch' ? true : (values.at(-1) as string);
    const parsed = parseLimitValue(spec, raw);
    if (!parsed.ok) {
      throw new UsageError(`--${spec.flag} must be ${parsed.expected}; got ${JSON.stringify(raw)}`);
    }
    flagLimits[spec.key] = parsed.value;
  }
  const path = findBudget(flagValue(args, 'budget'), cwd);
  const budget = path ? readBudget(path) : emptyBudget();
  return withFlagLimits(budget, flagLimits as Limits);
}

/**
 * Blocks shorter than the probe's threshold are not recorded, so a block
 * limit under the default threshold could never fail: when check starts
 * the command itself and no threshold was chosen, the threshold comes down
 * to the smallest block limit (not below the threshold's minimum).
 */
function lowerThreshold(env: Record<string, string>, budget: Budget): void {
  if (env[THRESHOLD.env] !== undefined || process.env[THRESHOLD.env] !== undefined) return;
  const limits = [budget.limits.maxBlockMs, ...budget.sites.map((s) => s.limits.maxBlockMs)]
    .filter((ms): ms is number => ms !== undefined);
  if (limits.length === 0) return;
  const thresholdMs = Math.max(THRESHOLD.min ?? 0, Math.min(...limits));
  if (thresholdMs >= (THRESHOLD.default as number)) return;
  env[THRESHOLD.env] = `${thresholdMs}ms`;
  const shown = formatMs(thresholdMs);
  process.stderr.write(`starve-probe check: block threshold set to ${shown} for --max-block\n`);
}

function writeOutput(path: string | undefined, render: () => string): void {
  if (path === undefined) return;
  try {
    writeFileSync(path, render());
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its directory does not exist' : (error as Error).message;
    throw new UsageError(`cannot write ${path}: ${why}`);
  }
}
