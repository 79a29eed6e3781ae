import { formatMs } from '../config/duration.js';
import { UsageError } from '../errors.js';
import { readRecording } from '../record/read.js';
import { analyze } from '../report/model.js';
import { shortSite, shortUrl } from '../report/paths.js';
import { parseArgs, renderFlagHelp, type FlagSpec } from './args.js';
import { PROBE_FLAGS, probeEnvFromFlags } from './probe-flags.js';
import { runProbed } from './spawn.js';

const FLAGS: FlagSpec[] = [...PROBE_FLAGS, { name: 'help', takes: 'boolean', help: 'Show this help.' }];

export const RUN_HELP = `Usage: starve-probe run [options] -- <command> [args…]

Runs the command with the probe preloaded into every Node.js process it
starts (through NODE_OPTIONS), passes signals on, prints a summary of each
recording to stderr when it ends, and exits as the command did: with its
exit code, or by the same signal. 127 means the command was not found,
126 that it could not be executed, 2 a usage error.

Options:
${renderFlagHelp(FLAGS)}
`;

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'starve-probe run');
  if (args.flags.has('help')) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  const command = args.command ?? args.positionals;
  if (args.command && args.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${args.positionals[0]}" before "--"; options go before --, the command after it`);
  }
  if (command.length === 0) throw new UsageError("no command given: write 'starve-probe run -- node app.js'");

  const probeEnv = probeEnvFromFlags(args);
  const result = await runProbed(command, probeEnv);
  if (result.startError) {
    process.stderr.write(`starve-probe run: ${result.startError}\n`);
    return /not found/.test(result.startError) ? 127 : 126;
  }
  printRunSummary(result.recordings);
  if (result.signal) {
    process.kill(process.pid, result.signal);
    return 128;
  }
  return result.code ?? 1;
}

export function printRunSummary(paths: readonly string[]): void {
  const cwd = process.cwd();
  if (paths.length === 0) {
    process.stderr.write('starve-probe: no recording was written (was the command a Node.js program?)\n');
    return;
  }
  for (const path of paths) {
    try {
      const report = analyze(readRecording(path));
      const s = report.summary;
      const who = report.argv.slice(1).map((a) => shortUrl(a, cwd)).join(' ');
      const top = s.sites[0];
      const blocks = s.blocks === 0
        ? 'no blocks'
        : `${s.blocks} block(s), ${formatMs(s.totalBlockedMs)} in all, the longest ${formatMs(s.maxBlockMs)}${top ? `; most time in ${shortSite(top.site, cwd)}` : ''}`;
      const p99 = s.delay ? `, delay p99 ${formatMs(s.delay.p99Ms)}` : '';
      process.stderr.write(`starve-probe: ${who} (pid ${report.pid}): ${blocks}${p99}\n`);
      if (top?.recommendation) process.stderr.write(`starve-probe:   fix: ${top.recommendation}\n`);
      process.stderr.write(`starve-probe:   full report: starve-probe report ${shortUrl(path, cwd)}\n`);
    } catch (error) {
      process.stderr.write(`starve-probe: ${(error as Error).message}\n`);
    }
  }
}
