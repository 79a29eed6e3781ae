import { describe, expect, it } from 'vitest';
import { emptyBudget, parseBudget, type Budget } from '../../src/check/budget.js';
import { judge } from '../../src/check/judge.js';
import type { LimitResult } from '../../src/check/verdict.js';
import type { BlockFact, RecordingMeasures } from '../../src/check/measure.js';

const CWD = '/app';
const stack = [{ functionName: 'crunch', url: 'file:///app/src/score.js', line: 7, column: 3 }];

function block(id: number, durationMs: number, site = 'crunch (file:///app/src/score.js:7:3)', time = 1000 * id): BlockFact {
  return { id, time, durationMs, site, stack };
}

function measures(over: Partial<RecordingMeasures> = {}): RecordingMeasures {
  return {
    path: '/app/.starve-probe/a.ndjson', pid: 1, argv: ['node', 'app.js'], thresholdMs: 100, complete: true,
    durationMs: 10_000, p50Ms: 11, p99Ms: 40, delaySource: 'histogram', eluMean: 0.3,
    blocks: [], totalBlockedMs: 0, renewals: [], expiries: [], hasLeases: false,
    ...over,
  };
}

const budgetOf = (json: unknown): Budget => parseBudget(json, 'budget.json');
const only = (results: LimitResult[], flag: string): LimitResult => {
  const found = results.find((r) => r.flag === flag);
  if (!found) throw new Error(`no result for ${flag}`);
  return found;
};
const run = (all: RecordingMeasures[], budget: Budget, strict = false) => judge(all, budget, { strict, cwd: CWD });

describe('judging limits on measurements', () => {
  it('passes a limit at or under the measured value and fails one over it', () => {
    const v = run([measures({ p99Ms: 40, p50Ms: 12 })], budgetOf({ limits: { maxP99: '40ms', maxP50: '10ms' } }));
    expect(only(v.results, 'max-p99')).toMatchObject({ status: 'pass', measured: 40 });
    expect(only(v.results, 'max-p50')).toMatchObject({ status: 'fail', measured: 12 });
    expect(only(v.results, 'max-p50').sentence).toBe('The event-loop delay p50 was 12 ms, over the limit of 10 ms.');
    expect(v.ok).toBe(false);
  });

  it('judges every recording and reports the worst one', () => {
    const calm = measures({ path: '/app/calm.ndjson', blocks: [block(1, 120)], totalBlockedMs: 120 });
    const busy = measures({ path: '/app/busy.ndjson', blocks: [block(1, 900), block(2, 300)], totalBlockedMs: 1200 });
    const v = run([calm, busy], budgetOf({ limits: { maxBlock: '500ms', maxBlocked: '1s', maxBlocks: 1 } }));
    expect(only(v.results, 'max-block')).toMatchObject({ status: 'fail', measured: 900, recording: '/app/busy.ndjson' });
    expect(only(v.results, 'max-blocked')).toMatchObject({ status: 'fail', measured: 1200 });
    expect(only(v.results, 'max-blocks')).toMatchObject({ status: 'fail', measured: 2 });
    expect(only(v.results, 'max-block').sentence).toBe('A block lasted 900 ms in crunch (src/score.js:7:3), over the limit of 500 ms.');
    expect(only(v.results, 'max-block').evidence[0]?.block?.id).toBe(1);
  });

  it('gives a site its own block limit from the budget file', () => {
    const startup = block(1, 1500, 'loadConfig (file:///app/src/boot.js:3:1)');
    const budget = budgetOf({
      limits: { maxBlock: '200ms' },
      sites: [{ site: 'src/boot.js', maxBlock: '2s', why: 'parses the config once at startup' }],
    });
    const pass = run([measures({ blocks: [startup, block(2, 150)] })], budget);
    expect(only(pass.results, 'max-block').status).toBe('pass');
    const fail = run([measures({ blocks: [startup, block(2, 250)] })], budget);
    expect(only(fail.results, 'max-block')).toMatchObject({ status: 'fail', measured: 250 });
    const slowStartup = run([measures({ blocks: [block(1, 2500, startup.site as string)] })], budget);
    expect(only(slowStartup.results, 'max-block')).toMatchObject({ status: 'fail', measured: 2500, limitText: '2.00 s (site override)' });
  });

  it('cannot pass a block limit below the recording\'s threshold when no block broke it', () => {
    const v = run([measures({ thresholdMs: 100 })], budgetOf({ limits: { maxBlock: '50ms' } }));
    expect(only(v.results, 'max-block').status).toBe('no-data');
    expect(only(v.results, 'max-block').sentence).toMatch(/below the probe's block threshold of 100 ms.*--threshold 50ms/);
    const caught = run([measures({ thresholdMs: 100, blocks: [block(1, 180)] })], budgetOf({ limits: { maxBlock: '50ms' } }));
    expect(only(caught.results, 'max-block').status).toBe('fail');
  });

  it('measures the blocked share of the run and utilization as ratios', () => {
    const m = measures({ durationMs: 2000, totalBlockedMs: 500, blocks: [block(1, 500)], eluMean: 0.8 });
    const v = run([m], budgetOf({ limits: { maxBlockedRatio: '20%', maxElu: 0.9 } }));
    expect(only(v.results, 'max-blocked-ratio')).toMatchObject({ status: 'fail', measured: 0.25 });
    expect(only(v.results, 'max-elu')).toMatchObject({ status: 'pass', measured: 0.8 });
  });

  it('says when there is no data, and fails on it only when strict', () => {
    const m = measures({ p99Ms: null, p50Ms: null, eluMean: null, delaySource: 'none' });
    const budget = budgetOf({ limits: { maxP99: '50ms', maxElu: 0.5 } });
    const lenient = run([m], budget);
    expect(only(lenient.results, 'max-p99').status).toBe('no-data');
    expect(only(lenient.results, 'max-p99').sentence).toMatch(/^Not enough data for the event-loop delay p99: /);
    expect(lenient.ok).toBe(true);
    expect(run([m], budget, true).ok).toBe(false);
  });

  it('fails when the command failed, even with every limit holding', () => {
    const v = judge([measures()], budgetOf({ limits: { maxP99: '1s' } }), {
      strict: false, cwd: CWD, command: { argv: ['npm', 'test'], code: 3, signal: null },
    });
    expect(only(v.results, 'max-p99').status).toBe('pass');
    expect(v.ok).toBe(false);
  });
});

describe('judging leases', () => {
  const renewal = (lease: string, ttlMs: number, marginMs: number, time = 5000) => ({ lease, time, ttlMs, ok: true, marginMs });

  it('compares the smallest margin with a duration or a share of the TTL', () => {
    const m = measures({ hasLeases: true, renewals: [renewal('orders', 3000, 2000), renewal('orders', 3000, 450), renewal('cache', 10_000, 900)] });
    const byShare = run([m], budgetOf({ limits: { minLeaseMargin: '30%' } }));
    // 900 ms is 9 % of cache's TTL: the worst shortfall (2100 ms) beats orders' (450 ms).
    expect(only(byShare.results, 'min-lease-margin')).toMatchObject({ status: 'fail', measured: 900 });
    const byTime = run([m], budgetOf({ limits: { minLeaseMargin: '500ms' } }));
    expect(only(byTime.results, 'min-lease-margin')).toMatchObject({ status: 'fail', measured: 450 });
    const perLease = run([m], budgetOf({ limits: { minLeaseMargin: '400ms' }, leases: [{ lease: 'cache', minLeaseMargin: '5%' }] }));
    expect(only(perLease.results, 'min-lease-margin').status).toBe('pass');
  });

  it('names the longest block while the lease ran down as evidence', () => {
    const m = measures({ hasLeases: true, blocks: [block(1, 2500, undefined, 2000)], renewals: [renewal('orders', 3000, 450, 4600)] });
    const v = run([m], budgetOf({ limits: { minLeaseMargin: '30%' } }));
    expect(only(v.results, 'min-lease-margin').evidence[0]).toMatchObject({ lease: 'orders', block: { id: 1, durationMs: 2500 } });
  });

  it('has no lease-margin data without renewals', () => {
    const v = run([measures()], budgetOf({ limits: { minLeaseMargin: '1s' } }));
    expect(only(v.results, 'min-lease-margin').status).toBe('no-data');
  });

  it('fails on any expired lease by default when the run had leases, and not when switched off', () => {
    const expiry = { lease: 'orders', time: 4000, ttlMs: 3000, sinceRenewalMs: 3000, duringBlock: true, site: null, stack: null, block: block(1, 4200) };
    const m = measures({ hasLeases: true, expiries: [expiry] });
    const byDefault = run([m], emptyBudget());
    expect(only(byDefault.results, 'no-lease-expired')).toMatchObject({ status: 'fail', measured: 1 });
    expect(only(byDefault.results, 'no-lease-expired').evidence[0]?.block?.durationMs).toBe(4200);
    expect(run([m], budgetOf({ limits: { noLeaseExpired: false } })).results).toHaveLength(0);
    const excused = run([m], budgetOf({ leases: [{ lease: 'orders', noLeaseExpired: false, why: 'best effort' }] }));
    expect(only(excused.results, 'no-lease-expired').status).toBe('pass');
  });

  it('does not judge lease expiry by default when the run had no leases, but says so when asked', () => {
    expect(run([measures()], emptyBudget()).results).toHaveLength(0);
    const asked = run([measures()], budgetOf({ limits: { noLeaseExpired: true } }));
    expect(only(asked.results, 'no-lease-expired').status).toBe('no-data');
  });
});
