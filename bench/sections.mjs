// The benchmark's sections. Each runs its workload with and without the
// probe in interleaved pairs and returns a Markdown table plus a headline
// figure. Ratios are probe / plain; medians are over the pairs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { PROBE_ARGS, ROOT, fmt, interleave, lastJson, median, pct, run } from './lib.mjs';

const require = createRequire(import.meta.url);
const workload = (name) => join(ROOT, 'bench/workloads', name);

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

// ── Throughput of a saturated HTTP server ─────────────────────────────────

function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, workload('http-server.mjs')], {
      env: { ...process.env, STARVE_PROBE_QUIET: '1', STARVE_PROBE_OUT: join(tmpdir(), `sp-bench-${process.pid}.ndjson`) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl !== -1) resolve({ child, port: JSON.parse(text.slice(0, nl)).port });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
  });
}

async function loadServer(args, seconds) {
  const autocannon = require('autocannon');
  const { child, port } = await startServer(args);
  try {
    // A short warm-up so JIT and connection set-up are not in the figure.
    await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 32, duration: 1 });
    const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 32, duration: seconds });
    return result.requests.average;
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export async function throughput({ pairs, seconds = 5 }) {
  const { a: plain, b: probed } = await interleave(
    pairs,
    () => loadServer([], seconds),
    () => loadServer(PROBE_ARGS, seconds),
  );
  const ratios = plain.map((p, i) => probed[i] / p);
  const ratio = median(ratios);
  return {
    key: 'throughput',
    title: `Throughput of a saturated HTTP server (autocannon, 32 connections, ${seconds} s per run, ${pairs} pairs)`,
    headline: `throughput ratio ${fmt(ratio, 3)} (overhead ${pct(1 / ratio)})`,
    markdown: table(
      ['', 'plain (req/s)', 'with probe (req/s)', 'ratio'],
      [
        ...plain.map((p, i) => [`pair ${i + 1}`, fmt(p, 0), fmt(probed[i], 0), fmt(ratios[i], 3)]),
        ['**median**', `**${fmt(median(plain), 0)}**`, `**${fmt(median(probed), 0)}**`, `**${fmt(ratio, 3)}**`],
      ],
    ),
  };
}

// ── Start-up ──────────────────────────────────────────────────────────────

async function timeStart(args) {
  const started = process.hrtime.bigint();
  const result = await run(process.execPath, [...args, '-e', '0'], {
    env: { STARVE_PROBE_OUT: join(tmpdir(), `sp-bench-start-${process.pid}.ndjson`) },
  });
  if (result.code !== 0) throw new Error(`node -e 0 failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function startup({ pairs }) {
  const n = Math.max(pairs * 3, 15);
  const { a: plain, b: probed } = await interleave(n, () => timeStart([]), () => timeStart(PROBE_ARGS));
  const diffs = plain.map((p, i) => probed[i] - p);
  return {
    key: 'startup',
    title: `Start-up: \`node --import starve-probe -e 0\` against \`node -e 0\` (${n} pairs)`,
    headline: `start-up +${fmt(median(diffs))} ms`,
    markdown: table(
      ['', 'plain', 'with probe', 'added (median of per-pair differences)'],
      [['median wall time', `${fmt(median(plain))} ms`, `${fmt(median(probed))} ms`, `**${fmt(median(diffs))} ms**`]],
    ),
  };
}

// ── Resident memory ───────────────────────────────────────────────────────

async function measureMemory(args) {
  const result = await run(process.execPath, [...args, workload('memory.mjs')], {
    env: { STARVE_PROBE_OUT: join(tmpdir(), `sp-bench-mem-${process.pid}.ndjson`) },
  });
  return lastJson(result, 'memory workload').rssBytes;
}

export async function memory({ pairs }) {
  const { a: plain, b: probed } = await interleave(pairs, () => measureMemory([]), () => measureMemory(PROBE_ARGS));
  const diffs = plain.map((p, i) => (probed[i] - p) / 2 ** 20);
  return {
    key: 'memory',
    title: `Resident memory after 2 s of light work (${pairs} pairs)`,
    headline: `memory +${fmt(median(diffs))} MiB`,
    markdown: table(
      ['', 'plain', 'with probe', 'added (median of per-pair differences)'],
      [[
        'resident set size',
        `${fmt(median(plain) / 2 ** 20)} MiB`,
        `${fmt(median(probed) / 2 ** 20)} MiB`,
        `**${fmt(median(diffs))} MiB**`,
      ]],
    ),
  };
}

// ── Detection latency ─────────────────────────────────────────────────────

function readEvents(path) {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** Generates `count` small ES modules so the inspector has many scripts to announce. */
function largeApp(count) {
  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-large-'));
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const body = Array.from({ length: 10 }, (_, j) => `export function f${j}(x) { return x * ${j + 1} + ${i}; }`);
    writeFileSync(join(dir, `m${i}.mjs`), body.join('\n') + '\n');
  }
  return dir;
}

async function latencies(env) {
  const out = join(mkdtempSync(join(tmpdir(), 'sp-bench-detect-')), 'r.ndjson');
  await run(process.execPath, [...PROBE_ARGS, workload('blocks.mjs')], { env: { ...env, STARVE_PROBE_OUT: out } });
  const events = readEvents(out);
  const threshold = events[0]?.config?.thresholdMs ?? 100;
  const starts = events.filter((e) => e.type === 'block-start');
  return {
    threshold,
    blockStartMs: starts.map((e) => e.blockedMs),
    withStack: starts.filter((e) => e.stack).length,
    total: starts.length,
  };
}

export async function detection({ pairs, largeModules = 3000 }) {
  const small = await latencies({ BLOCKS: String(pairs * 2) });
  const large = await latencies({ BLOCKS: String(pairs * 2), LARGE_APP_DIR: largeApp(largeModules) });
  const row = (name, r) => [
    name,
    `${fmt(r.threshold, 0)} ms`,
    `${fmt(median(r.blockStartMs))} ms`,
    `${fmt(Math.max(...r.blockStartMs))} ms`,
    `${r.withStack} of ${r.total}`,
  ];
  return {
    key: 'detection',
    title: 'Detection latency: time from a block\'s start to its `block-start` event (stack included)',
    headline: `block-start at ${fmt(median(small.blockStartMs))} ms (small app), ${fmt(median(large.blockStartMs))} ms (${largeModules} modules)`,
    markdown: table(
      ['application', 'threshold', 'median', 'worst', 'block-start with a stack'],
      [row('small (one script)', small), row(`large (${largeModules} modules loaded)`, large)],
    ),
  };
}

// ── Blocks in quick succession ────────────────────────────────────────────

async function burstUnits(args) {
  const result = await run(process.execPath, [...args, workload('burst.mjs')], {
    env: { STARVE_PROBE_OUT: join(tmpdir(), `sp-bench-burst-${process.pid}.ndjson`) },
  });
  return lastJson(result, 'burst workload').units;
}

export async function burst({ pairs }) {
  const { a: plain, b: probed } = await interleave(pairs, () => burstUnits([]), () => burstUnits(PROBE_ARGS));
  const ratios = plain.map((p, i) => probed[i] / p);
  return {
    key: 'burst',
    title: `Blocks in quick succession: 150 ms slices of CPU work with 5 ms pauses for 4 s (${pairs} pairs)`,
    headline: `work done under a storm of blocks: ratio ${fmt(median(ratios), 3)}`,
    markdown: table(
      ['', 'plain (work units)', 'with probe', 'ratio'],
      [['median', fmt(median(plain), 0), fmt(median(probed), 0), `**${fmt(median(ratios), 3)}**`]],
    ),
  };
}


// ── Timer wrapping and the lease API ──────────────────────────────────────

export async function timers() {
  const result = await run(process.execPath, [join(ROOT, 'bench/timers.mjs')]);
  const { results } = lastJson(result, 'bench/timers.mjs');
  return {
    key: 'timers',
    title: 'Timer wrapping and the lease API, in one process (bench/timers.mjs; rounds alternate wrapped and plain, median of 7)',
    headline: results.map((r) => `${r.label}: ×${fmt(r.ratio, 2)}`).join('; '),
    markdown: table(
      ['operation', 'plain', 'traced', 'ratio'],
      results.map((r) => [r.label, `${fmt(r.plainNs, 0)} ns`, `${fmt(r.wrappedNs, 0)} ns`, `×${fmt(r.ratio, 2)}`]),
    ),
  };
}

export async function leaseApi() {
  const result = await run(process.execPath, [join(ROOT, 'bench/api-renewals.mjs')]);
  const r = lastJson(result, 'bench/api-renewals.mjs');
  return {
    key: 'leaseApi',
    title: 'A renewal-heavy workload: `await lease.renew(async fn)` 50,000 times in a real process (bench/api-renewals.mjs, median of 5)',
    headline: `lease.renew ${r.plainNs} ns without the probe, ${r.probedNs} ns with it`,
    markdown: table(
      ['', 'without the probe', 'with the probe', 'added per renewal'],
      [['time per renewal', `${r.plainNs} ns`, `${r.probedNs} ns`, `**${((r.probedNs - r.plainNs) / 1000).toFixed(1)} µs**`]],
    ),
  };
}

// ── What attribution costs a blocked thread ──────────────────────────────

async function lostPerBlock(args, env) {
  const out = join(mkdtempSync(join(tmpdir(), 'sp-bench-attr-')), 'r.ndjson');
  const result = await run(process.execPath, [...args, join(ROOT, 'scripts/attribution-pauses.mjs')], {
    env: { ...env, STARVE_PROBE_OUT: out },
  });
  const line = result.stderr.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line).lostPerBlockMs;
}

export async function attribution({ pairs }) {
  const variants = [
    ['no probe', [], {}],
    ['probe, defaults (up to 3 stack samples per block)', PROBE_ARGS, {}],
    ['probe + --profile', PROBE_ARGS, { STARVE_PROBE_PROFILE: '1' }],
    ['probe + --async-stacks', PROBE_ARGS, { STARVE_PROBE_ASYNC_STACKS: '1' }],
  ];
  const lost = variants.map(() => []);
  // Round-robin, so every variant sees the machine in every state.
  for (let round = 0; round < pairs; round++) {
    for (const [i, [, args, env]] of variants.entries()) lost[i].push(await lostPerBlock(args, env));
  }
  return {
    key: 'attribution',
    title: `What the probe's work during a block costs the blocked thread: six 600 ms blocks made of small chunks; time lost to pauses per block (scripts/attribution-pauses.mjs, ${pairs} rounds, medians)`,
    headline: variants.map(([name], i) => `${name}: ${fmt(median(lost[i]))} ms`).join('; '),
    markdown: table(
      ['variant', 'main-thread time lost per 600 ms block'],
      variants.map(([name], i) => [name, `${fmt(median(lost[i]))} ms`]),
    ),
  };
}

export const SECTIONS = { throughput, startup, memory, detection, burst, timers, leaseApi, attribution };
