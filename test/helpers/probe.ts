/**
 * Runs programs under the real, built probe in child processes and reads
 * what they recorded. Every timing assertion built on this observes the
 * blocked program from outside: the probe's own watchdog thread, and this
 * test process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PRELOAD = pathToFileURL(join(ROOT, 'dist/index.js')).href;
export const PRELOAD_CJS = join(ROOT, 'dist/index.cjs');
export const CLI = join(ROOT, 'dist/cli/main.js');
export const fixture = (name: string): string => join(ROOT, 'fixtures', name);

export interface ProbeEvent {
  type: string;
  time: number;
  pid: number;
  [field: string]: unknown;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'starve-probe-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Spawn a command and collect its output; killed after `timeoutMs`. */
export function exec(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; onStderr?: (chunk: string) => void } = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { ...process.env, ...options.env },
      cwd: options.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
      options.onStderr?.(String(c));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ProbedResult extends Finished {
  recording: string;
  events: ProbeEvent[];
}

/** Run `node --import starve-probe <script>` with the recording in a temp dir. */
export async function runUnderProbe(
  script: string,
  options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; args?: string[]; timeoutMs?: number } = {},
): Promise<ProbedResult> {
  const recording = join(tempDir(), 'recording.ndjson');
  const result = await exec(process.execPath, [...(options.nodeArgs ?? ['--import', PRELOAD]), script, ...(options.args ?? [])], {
    env: { STARVE_PROBE_OUT: recording, ...options.env },
    timeoutMs: options.timeoutMs,
  });
  return { ...result, recording, events: readEvents(recording) };
}

/** Every event of a finished recording; a malformed line fails the test. */
export function readEvents(path: string): ProbeEvent[] {
  return parseLines(readText(path));
}

/**
 * The events of a recording still being written: a last line the probe is
 * writing at this very moment may be incomplete and is left for next time.
 */
export function readEventsSoFar(path: string): ProbeEvent[] {
  const text = readText(path);
  return parseLines(text.slice(0, text.lastIndexOf('\n') + 1));
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function parseLines(text: string): ProbeEvent[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ProbeEvent);
}

export const ofType = (events: ProbeEvent[], type: string): ProbeEvent[] => events.filter((e) => e.type === type);

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validateEvent = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema/events.schema.json'), 'utf8')) as object);

/** Every event valid against schema/events.schema.json; returns the problems found. */
export function schemaProblems(events: ProbeEvent[]): string[] {
  const problems: string[] = [];
  events.forEach((event, index) => {
    if (!validateEvent(event)) {
      problems.push(`event ${index} (${event.type}): ${ajv.errorsText(validateEvent.errors)}`);
    }
  });
  return problems;
}
