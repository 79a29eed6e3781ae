import { spawn, type StdioOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { peekStart, recordingsIn } from '../record/read.js';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';

/**
 * Runs a command with the probe injected through NODE_OPTIONS, so it needs
 * no change to the command and reaches every Node.js process it starts
 * (child processes, cluster workers), each with its own recording.
 * Signals sent to us are passed on to the child.
 */

export const PRELOAD_URL = new URL('../index.js', import.meta.url).href;
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

export interface ProbedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started at all. */
  startError: string | null;
  runId: string;
  recordings: string[];
}

export function withPreload(nodeOptions: string | undefined): string {
  const flag = `--import=${PRELOAD_URL}`;
  return nodeOptions ? `${nodeOptions} ${flag}` : flag;
}

export interface RunProbedOptions {
  /** Send the command's stdout to our stderr, keeping our stdout for a machine-read result (check --json). */
  stdoutToStderr?: boolean;
}

export function runProbed(
  command: string[],
  probeEnv: Record<string, string>,
  cwd = process.cwd(),
  options: RunProbedOptions = {},
): Promise<ProbedRun> {
  const runId = randomUUID();
  const env = { ...process.env, ...probeEnv, STARVE_PROBE_RUN_ID: runId, NODE_OPTIONS: withPreload(process.env.NODE_OPTIONS) };
  const [file, ...args] = command as [string, ...string[]];

  return new Promise((done) => {
    const stdio: StdioOptions = options.stdoutToStderr ? ['inherit', 2, 'inherit'] : 'inherit';
    const child = spawn(file, args, { stdio, env, cwd });
    const forward = (signal: NodeJS.Signals): void => {
      try {
        child.kill(signal);
      } catch {
        // The child is already gone.
      }
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const cleanup = (): void => {
      for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, forward);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      const why = error.code === 'ENOENT' ? 'command not found' : error.code === 'EACCES' ? 'permission denied' : error.message;
      done({ code: null, signal: null, startError: `cannot start "${file}": ${why}`, runId, recordings: [] });
    });
    child.on('exit', (code, signal) => {
      cleanup();
      const recordings = findRunRecordings(runId, probeEnv.STARVE_PROBE_OUT, cwd);
      done({ code, signal, startError: null, runId, recordings });
    });
  });
}

/** The recordings the processes of one run wrote, found by their run id. */
export function findRunRecordings(runId: string, out: string | undefined, cwd: string): string[] {
  const candidates = out ? outAndSiblings(resolve(cwd, out)) : recordingsIn(join(cwd, '.starve-probe'));
  return candidates.filter((path) => peekStart(path)?.runId === runId);
}

function outAndSiblings(path: string): string[] {
  const dir = dirname(path);
  const ext = extname(path);
  const stem = ext ? basename(path, ext) : basename(path);
  const pattern = new RegExp(`^${escape(stem)}\\.\\d+${escape(ext || '.ndjson')}$`);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return [path, ...names.filter((n) => pattern.test(n)).map((n) => join(dir, n))];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
