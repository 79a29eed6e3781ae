import { join } from 'node:path';
import { statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { readRecording, recordingsIn } from '../record/read.js';
import { analyze } from '../report/model.js';
import { renderText } from '../report/text.js';
import { parseArgs, renderFlagHelp, type FlagSpec } from './args.js';

const FLAGS: FlagSpec[] = [
  { name: 'json', takes: 'boolean', help: 'Print the report as JSON (one object with a "recordings" array).' },
  { name: 'help', takes: 'boolean', help: 'Show this help.' },
];

export const REPORT_HELP = `Usage: starve-probe report [--json] [FILE|DIR…]

Summarises recordings: event-loop delay percentiles, utilization, GC,
memory, and blocks grouped by site with the worst block's stack. A
directory stands for every .ndjson file in it. Without arguments, the
newest recording in ./.starve-probe is read.

A recording cut short by a kill is read up to its last complete line and
the report says so. A file that is not a recording is an error (exit 2).

Options:
${renderFlagHelp(FLAGS)}
`;

export function reportCommand(argv: string[]): number {
  const args = parseArgs(argv, FLAGS, 'starve-probe report');
  if (args.flags.has('help')) {
    process.stdout.write(REPORT_HELP);
    return 0;
  }
  const paths = resolvePaths(args.positionals);
  const reports = paths.map((path) => analyze(readRecording(path)));
  for (const report of reports) {
    if (report.truncated) process.stderr.write(`starve-probe report: ${report.path}: the last line was cut short and was skipped\n`);
  }
  if (args.flags.has('json')) process.stdout.write(JSON.stringify({ recordings: reports }, null, 2) + '\n');
  else process.stdout.write(renderText(reports, process.cwd()));
  return 0;
}

export function resolvePaths(given: readonly string[]): string[] {
  if (given.length === 0) {
    const newest = recordingsIn(join(process.cwd(), '.starve-probe')).at(-1);
    if (!newest) throw new UsageError('no recording given and none found in ./.starve-probe; name a recording file');
    return [newest];
  }
  return given.flatMap((path) => {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      return [path];
    }
    if (!isDir) return [path];
    const inside = recordingsIn(path);
    if (inside.length === 0) throw new UsageError(`${path} holds no .ndjson recordings`);
    return inside;
  });
}
