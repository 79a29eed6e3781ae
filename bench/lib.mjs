// Shared pieces of the benchmark: interleaved A/B pairs, medians, child
// processes, and a description of the machine. Every figure the benchmark
// reports is a median over pairs run back to back in one session, because
// a shared two-core machine drifts more between minutes than between runs.
import { spawn } from 'node:child_process';
import { cpus, totalmem, platform, release } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const PRELOAD = pathToFileURL(join(ROOT, 'dist/index.js')).href;
export const PROBE_ARGS = ['--import', PRELOAD];

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `pairs` A/B pairs, alternating which goes first so a warming or
 * cooling machine does not favour one side. Returns both series.
 */
export async function interleave(pairs, runA, runB) {
  const a = [];
  const b = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      a.push(await runA(i));
      b.push(await runB(i));
    } else {
      b.push(await runB(i));
      a.push(await runA(i));
    }
  }
  return { a, b };
}

/** Spawns a process and resolves with its output once it exits. */
export function run(file, args, { env = {}, timeoutMs = 120_000, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd,
      env: { ...process.env, STARVE_PROBE_QUIET: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The last line of stdout as JSON: how bench workloads report. */
export function lastJson(result, what) {
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${what} printed no result (exit ${result.code}): ${result.stderr.slice(0, 500)}`);
  }
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const pct = (ratio) => (Number.isFinite(ratio) ? `${((ratio - 1) * 100).toFixed(1)} %` : 'n/a');
