import { describe, expect, it } from 'vitest';
import { recommend, recommendLease, recommendSaturation, slicesAdvice } from '../../src/attribution/recommend.js';
import { SaturationDetector } from '../../src/attribution/saturation.js';

const base = { durationMs: 612, gcMs: 12, site: 'crunch (src/report.js:8:3)', thresholdMs: 100 };

describe('recommendations', () => {
  it('cpu in application code: worker thread or yield, with the slice count estimated from the time', () => {
    const text = recommend({ ...base, kind: 'cpu', evidence: { rule: 'js-on-stack' }, task: 'async scoreReport' });
    expect(text).toContain('crunch (src/report.js:8:3) in async scoreReport ran JavaScript on the main thread for 612 ms');
    expect(text).toContain('piscina');
    expect(text).toContain('at least 62 slices of 10 ms');
    expect(text).toContain('cannot count M');
  });

  it('estimates slices from the measured duration, never fewer than two', () => {
    expect(slicesAdvice(35)).toContain('at least 4 slices');
    expect(slicesAdvice(5)).toContain('at least 2 slices');
  });

  it('cpu inside a known package gives that package\'s fix', () => {
    const text = recommend({ ...base, kind: 'cpu', evidence: { rule: 'js-on-stack' }, package: 'bcryptjs' });
    expect(text).toMatch(/inside the bcryptjs package: use its asynchronous form .*native bcrypt/);
  });

  it('sync-io names the async variant of the API', () => {
    const text = recommend({ ...base, kind: 'sync-io', evidence: { rule: 'sync-api-in-source', api: 'zlib.gzipSync' } });
    expect(text).toMatch(/^zlib\.gzipSync held the main thread for 612 ms at crunch .*: call zlib\.gzip \(promisified\)/);
  });

  it('microtasks: bound the Promise.all and yield between batches', () => {
    const text = recommend({ ...base, kind: 'microtasks', evidence: { rule: 'microtask-continuations', samples: 3 } });
    expect(text).toContain('3 stack samples');
    expect(text).toContain('bound the concurrency of the Promise.all');
  });

  it('gc gives the heap numbers observed and the flags that give room', () => {
    const text = recommend({
      ...base, kind: 'gc', gcMs: 450, evidence: { rule: 'gc-share' },
      heap: { usedBytes: 90 * 1024 * 1024, limitBytes: 128 * 1024 * 1024 },
    });
    expect(text).toContain('paused the main thread for 450 ms of this 612 ms block, with the heap at 90.0 MiB of its 128.0 MiB limit');
    expect(text).toContain('--max-old-space-size');
    expect(text).toContain('--max-semi-space-size');
  });

  it('unknown says it cannot tell, and why, for a worker thread too', () => {
    const text = recommend({
      ...base, gcMs: null, site: null, threadId: 3, kind: 'unknown',
      evidence: { rule: 'no-evidence', reason: 'no stack can be taken in a worker thread' },
    });
    expect(text).toMatch(/^Worker thread 3 was blocked for 612 ms but the probe cannot say by what \(no stack can be taken in a worker thread; the GC time is not known\)/);
  });

  it('saturation and leases', () => {
    expect(recommendSaturation({ periodMs: 6000, elu: 0.97, thresholdMs: 100, sites: [] }))
      .toMatch(/^The main thread was busy 97 % of the time for 6.00 s with no single block over 100 ms: .*shed load, run more processes/);
    expect(recommendLease({ blockMs: 1400, budgetMs: 1000, ttlMs: 5000 }))
      .toBe('A 1.40 s block is longer than the lease\'s starvation budget of 1.00 s (TTL 5.00 s): make the block shorter than the budget with the fix for its kind, or make the TTL longer.');
  });
});

describe('saturation, on fake time', () => {
  const detector = () => new SaturationDetector({ elu: 0.9, forMs: 5000 });
  const feed = (d: SaturationDetector, fromSec: number, elus: number[]) =>
    elus.map((elu, i) => d.add({ atMono: (fromSec + i + 1) * 1000, intervalMs: 1000, elu }));

  it('reports a run of busy samples at least as long as the period, when it ends', () => {
    const d = detector();
    const results = feed(d, 0, [0.95, 0.97, 0.99, 0.93, 0.96, 0.98, 0.2]);
    expect(results.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(results[6]).toEqual({ startMono: 0, periodMs: 6000, elu: 0.963 });
  });

  it('does not report a run shorter than the period', () => {
    const d = detector();
    expect(feed(d, 0, [0.95, 0.97, 0.99, 0.5]).filter(Boolean)).toEqual([]);
    expect(d.close()).toBeNull();
  });

  it('a block over the threshold breaks the run: that is a block, not saturation', () => {
    const d = detector();
    feed(d, 0, [0.95, 0.97, 0.99]);
    d.blockSeen(3200, 3500);
    expect(feed(d, 3, [0.99, 0.99, 0.99, 0.99]).filter(Boolean)).toEqual([]);
    expect(d.close()).toBeNull();
    const e = detector();
    e.blockSeen(3200, 3500);
    feed(e, 3, [0.99, 0.99, 0.99, 0.99, 0.99, 0.99]);
    expect(e.close()).toMatchObject({ startMono: 4000, periodMs: 5000 });
  });

  it('reports the run still going when the process exits', () => {
    const d = detector();
    feed(d, 0, [0.99, 0.99, 0.99, 0.99, 0.99]);
    expect(d.close()).toMatchObject({ periodMs: 5000, elu: 0.99 });
  });
});
