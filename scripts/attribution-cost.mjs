// Interleaved A/B of what attribution (issue 4) costs the application.
// Runs small workloads as child processes under several variants, in a
// shuffled order each round, and prints per-variant medians and ratios.
//
//   node scripts/attribution-cost.mjs [rounds]
//
// Variants: no probe; `one-sample`, the probe as the foundation ran it
// (a copy of dist/ with SAMPLES_PER_BLOCK = 1 and no worker-thread
// heartbeat); the probe as built (attribution: up to three samples,
// source reads, kinds, worker heartbeats); the probe with --profile.
// Workloads: `blocks` (12 blocks of ~150 ms of fixed work), `long-blocks`
// (4 blocks of ~600 ms, three samples each), `steady` (an await loop with
// no block) and `worker-steady` (the same loop in a worker thread).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv[2] ?? 7);
const work = mkdtempSync(join(tmpdir(), 'attribution-cost-'));

const oneSample = join(work, 'dist-one-sample');
cpSync(join(root, 'dist'), oneSample, { recursive: true });
const blocksJs = join(oneSample, 'watchdog/blocks.js');
writeFileSync(blocksJs, readFileSync(blocksJs, 'utf8').replace(/SAMPLES_PER_BLOCK = 3/, 'SAMPLES_PER_BLOCK = 1'));
const startJs = join(oneSample, 'probe/start.js');
writeFileSync(startJs, readFileSync(startJs, 'utf8').replace('startWorkerThreadProbe();', 'return;'));

const script = join(work, 'workload.mjs');
writeFileSync(script, `
const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
const mode = process.argv[2];
const t0 = performance.now();
if (mode === 'blocks' || mode === 'long-blocks') {
  const [count, fibs] = mode === 'blocks' ? [12, 4] : [4, 16];
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, 30));
    for (let k = 0; k < fibs; k++) fib(32);
  }
} else if (mode === 'steady') {
  for (let i = 0; i < 300000; i++) await new Promise((r) => setImmediate(r));
} else {
  const { Worker } = await import('node:worker_threads');
  const w = new Worker('const t = performance.now(); (async () => { for (let i = 0; i < 300000; i++) await new Promise((r) => setImmediate(r)); require("node:worker_threads").parentPort.postMessage(performance.now() - t); })();', { eval: true });
  const ms = await new Promise((r) => w.once('message', r));
  await w.terminate();
  process.stderr.write(JSON.stringify({ ms }) + '\\n');
  process.exit(0);
}
process.stderr.write(JSON.stringify({ ms: performance.now() - t0 }) + '\\n');
`);

const variants = {
  none: [],
  'one-sample': ['--import', pathToFileURL(join(oneSample, 'index.js')).href],
  attribution: ['--import', pathToFileURL(join(root, 'dist/index.js')).href],
  'attribution+profile': ['--import', pathToFileURL(join(root, 'dist/index.js')).href],
};

function runOnce(variant, mode) {
  const env = { ...process.env, STARVE_PROBE_QUIET: '1', STARVE_PROBE_OUT: join(work, `${variant}-${mode}.ndjson`) };
  if (variant === 'attribution+profile') env.STARVE_PROBE_PROFILE = '1';
  const run = spawnSync(process.execPath, [...variants[variant], script, mode], { env, encoding: 'utf8' });
  return Number(/"ms":([\d.]+)/.exec(run.stderr)?.[1] ?? NaN);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const BLOCKS = { blocks: 12, 'long-blocks': 4 };
for (const mode of ['blocks', 'long-blocks', 'steady', 'worker-steady']) {
  const results = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    const order = Object.keys(variants).sort(() => Math.random() - 0.5);
    for (const variant of order) {
      results[variant].push(runOnce(variant, mode));
    }
  }
  const base = median(results.none);
  console.log(`workload ${mode} (${rounds} rounds, medians):`);
  for (const [variant, values] of Object.entries(results)) {
    const m = median(values);
    console.log(`  ${variant.padEnd(20)} ${m.toFixed(1).padStart(8)} ms  ×${(m / base).toFixed(3)}` +
      (BLOCKS[mode] ? `  (${((m - base) / BLOCKS[mode]).toFixed(1)} ms per block over none)` : ''));
  }
}
