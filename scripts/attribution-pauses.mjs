// What the probe's work during a block costs the blocked thread, measured
// from inside it: six blocks of 600 ms made of tiny chunks of work; every
// gap of more than 2 ms over the median chunk is time the thread lost to
// a pause (a stack capture, the profiler starting or stopping). Prints the
// loss per block. Run it without and with the preload, e.g.
//   node scripts/attribution-pauses.mjs
//   node --import ./dist/index.js scripts/attribution-pauses.mjs
//   STARVE_PROBE_PROFILE=1 node --import ./dist/index.js scripts/attribution-pauses.mjs
// Unlike wall-clock A/B runs, this is not blurred by other processes
// sharing the machine (their preemptions are rarer than one per block).
const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
const blocks = 6;
let lostMs = 0;
let chunks = 0;
const durations = [];
for (let b = 0; b < blocks; b++) {
  await new Promise((r) => setTimeout(r, 50));
  const end = performance.now() + 600;
  let last = performance.now();
  while (last < end) {
    fib(18);
    const now = performance.now();
    durations.push(now - last);
    last = now;
    chunks++;
  }
}
const sorted = [...durations].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
for (const d of durations) if (d > median + 2) lostMs += d - median;
process.stderr.write(JSON.stringify({ lostPerBlockMs: lostMs / blocks, medianChunkMs: median }) + '\n');
