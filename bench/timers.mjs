// Cost of the probe's timer wrapping and of the lease API, measured in one
// process against the built dist/. Rounds alternate between wrapped and
// plain so drift (CPU frequency, other load) hits both alike; each figure
// is the median of ROUNDS rounds.
//
//   node bench/timers.mjs            (after npm run build)
//
// Prints one line per measure and a JSON summary on the last line.
import { LeaseSlots } from '../dist/leases/slots.js';
import { LeaseTracker } from '../dist/leases/tracker.js';
import { traceTimers } from '../dist/leases/timers.js';
import { traceApiLeases } from '../dist/leases/api-channels.js';
import { SHARED_BYTES } from '../dist/probe/shared.js';
import { monoMs } from '../dist/util/clock.js';
import { lease } from '../dist/api.js';

const ROUNDS = 7;
const SHORT_PAIRS = 1_000_000;
const LONG_PAIRS = 100_000;
const RENEWALS = 200_000;

const noop = () => {};
const tracker = new LeaseTracker({ slots: new LeaseSlots(new SharedArrayBuffer(SHARED_BYTES)), nowMono: monoMs, post: noop });
const wrapOptions = { thresholdMs: 100, leases: [], tracker, nowMono: monoMs, onLate: noop, probeUrlPrefix: new URL('../dist/', import.meta.url).href };

function timePairs(pairs, delayMs) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < pairs; i++) clearTimeout(setTimeout(noop, delayMs));
  return Number(process.hrtime.bigint() - start) / pairs;
}

function timeRenewals(count) {
  const l = lease('bench-lock', { ttl: '30s', every: '10s' });
  const fn = () => 1;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) l.renew(fn);
  const ns = Number(process.hrtime.bigint() - start) / count;
  l.end();
  return ns;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function compare(label, measure) {
  const plain = [];
  const wrapped = [];
  measure(false);
  measure(true);
  for (let round = 0; round < ROUNDS; round++) {
    plain.push(measure(false));
    wrapped.push(measure(true));
  }
  const result = { label, plainNs: round(median(plain)), wrappedNs: round(median(wrapped)) };
  result.ratio = round(result.wrappedNs / result.plainNs);
  console.log(`${label}: ${result.plainNs} ns plain, ${result.wrappedNs} ns with the probe (×${result.ratio})`);
  return result;
}

function withTimers(on, fn) {
  const undo = on ? traceTimers(wrapOptions) : noop;
  try {
    return fn();
  } finally {
    undo();
  }
}

function withApiListener(on, fn) {
  const undo = on ? traceApiLeases(tracker, monoMs, noop) : noop;
  try {
    return fn();
  } finally {
    undo();
  }
}

const round = (n) => Math.round(n * 100) / 100;
const results = [
  compare(`setTimeout+clearTimeout, 10 ms (${SHORT_PAIRS} pairs)`, (on) => withTimers(on, () => timePairs(SHORT_PAIRS, 10))),
  compare(`setTimeout+clearTimeout, 5 s (${LONG_PAIRS} pairs)`, (on) => withTimers(on, () => timePairs(LONG_PAIRS, 5000))),
  compare(`lease.renew(fn) (${RENEWALS} renewals)`, (on) => withApiListener(on, () => timeRenewals(RENEWALS))),
];
console.log(JSON.stringify({ bench: 'timers-and-api', results }));
