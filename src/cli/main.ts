#!/usr/bin/env node
/**
 * The `starve-probe` command: dispatches to one module per subcommand.
 * Exit codes: 0 success, 1 a check failed, 2 usage or input error; `run`
 * exits as the command it ran.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { checkCommand } from './check.js';
import { demoCommand } from './demo.js';
import { printError } from './output.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';

type Command = (argv: string[]) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  run: { run: runCommand, summary: 'run a command with the probe preloaded, then summarise' },
  report: { run: reportCommand, summary: 'summarise recordings (text or --json)' },
  check: { run: checkCommand, summary: 'run a command or read recordings and fail when limits break' },
  demo: { run: demoCommand, summary: 'watch the probe diagnose a bundled starving worker' },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function mainHelp(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`);
  return `Usage: starve-probe <command> [options]

Finds event-loop starvation in Node.js programs: blocks caught while they
happen, with the stack that caused them.

Commands:
${rows.join('\n')}

Preload it directly:  node --import starve-probe app.js
Run 'starve-probe <command> --help' for a command's options.
  --help       show this help
  --version    print the version
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return await command.run(rest);
  } catch (error) {
    return printError(`starve-probe${command ? ` ${name}` : ''}`, error);
  }
}

process.exitCode = await main(process.argv.slice(2));
