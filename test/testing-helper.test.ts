import { AssertionError } from 'node:assert';
import { channel } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { assertStarvation, measureStarvation, RENEWAL_CHANNEL } from '../dist/testing/index.js';
import { lease } from '../dist/api.js';
import { ROOT, exec } from './helpers/probe.js';

/**
 * starve-probe/testing, as built. The blocks here are real: this test's
 * own thread spins, and the helper's watcher thread times it.
 */

const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('measureStarvation', () => {
  it('times a synchronous block of the test thread from its watcher thread', async () => {
    const result = await measureStarvation(() => {
      spin(300);
      return 'done';
    }, { thresholdMs: 20 });
    expect(result.value).toBe('done');
    expect(result.blocks).toBeGreaterThanOrEqual(1);
    // One heartbeat (5 ms at this threshold) of precision, wide bounds for a shared machine.
    expect(result.maxBlockMs).toBeGreaterThanOrEqual(290);
    expect(result.maxBlockMs).toBeLessThan(3000);
    expect(result.totalBlockedMs).toBeGreaterThanOrEqual(result.maxBlockMs);
  });

  it('sees each block of async code separately', async () => {
    const result = await measureStarvation(async () => {
      spin(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      spin(200);
    }, { thresholdMs: 50 });
    expect(result.blocks).toBe(2);
    for (const ms of result.blockDurationsMs) expect(ms).toBeGreaterThanOrEqual(190);
  });

  it('finds no block in work that yields to the loop', async () => {
    const result = await measureStarvation(async () => {
      for (let i = 0; i < 40; i++) {
        spin(5);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }, { thresholdMs: 200 });
    expect(result.blocks).toBe(0);
    expect(result.maxBlockMs).toBe(0);
  });

  it('passes on what the measured code throws, and stops its watcher', async () => {
    await expect(measureStarvation(() => {
      throw new Error('from the test code');
    })).rejects.toThrow('from the test code');
  });

  it('refuses a threshold under 10 ms', async () => {
    await expect(measureStarvation(() => 1, { thresholdMs: 2 })).rejects.toThrow(/thresholdMs must be a number of milliseconds of at least 10; got 2/);
  });
});

describe('assertStarvation', () => {
  it('throws an AssertionError naming the measured value and the limit', async () => {
    const result = await measureStarvation(() => spin(250), { thresholdMs: 20 });
    let error: unknown;
    try {
      assertStarvation(result, { maxBlock: '50ms' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AssertionError);
    expect((error as Error).message).toMatch(/^starvation: the longest block lasted \d+ ms, over the limit of 50 ms \(1 block\(s\) over 20 ms\)$/);
    expect((error as AssertionError).actual).toBe(result.maxBlockMs);
    expect((error as AssertionError).expected).toBe(50);
    expect(() => assertStarvation(result, { maxBlock: '5s', maxBlocks: 1 })).not.toThrow();
    expect(() => assertStarvation(result, { maxBlocked: 100 })).toThrow(/blocked for \d+ ms in all, over the limit of 100 ms/);
    expect(() => assertStarvation(result, { maxBlock: 'soon' })).toThrow(/maxBlock must be a duration such as 250ms/);
  });

  it('measures the margins of leases renewed through starve-probe/api, a block eating into one', async () => {
    const result = await measureStarvation(async () => {
      const l = lease('report-lock', { ttl: '500ms', every: '100ms' });
      await l.renew(async () => 'extended');
      spin(350);
      await l.renew(async () => 'extended');
      l.end();
    });
    expect(result.renewals).toHaveLength(2);
    const worst = result.minLeaseMargin!;
    expect(worst.lease).toBe('report-lock');
    expect(worst.ttlMs).toBe(500);
    // 500 ms TTL, renewed, then 350 ms of blocking: at most 150 ms left.
    expect(worst.marginMs).toBeLessThan(160);
    expect(worst.marginMs).toBeGreaterThan(-300);
    expect(() => assertStarvation(result, { minLeaseMargin: '50%' })).toThrow(/lease "report-lock" had .* left at a renewal/);
  });

  // Any library may publish on the channel with a margin it measured.
  it('checks lease margins published on the starve-probe:renewal channel', async () => {
    const renewals = channel(RENEWAL_CHANNEL);
    const result = await measureStarvation(() => {
      renewals.publish({ lease: 'orders-lock', ttlMs: 3000, ok: true, marginMs: 2000 });
      renewals.publish({ lease: 'orders-lock', ttlMs: 3000, ok: true, marginMs: 450 });
    });
    expect(result.minLeaseMargin).toEqual({ lease: 'orders-lock', ttlMs: 3000, marginMs: 450 });
    expect(() => assertStarvation(result, { minLeaseMargin: '10%' })).not.toThrow();
    expect(() => assertStarvation(result, { minLeaseMargin: '30%' })).toThrow(
      'starvation: lease "orders-lock" had 450 ms of its 3.00 s TTL left at a renewal, under the limit of 30 % of the TTL',
    );
    const none = await measureStarvation(() => 0);
    expect(() => assertStarvation(none, { minLeaseMargin: '1s' })).toThrow(/no lease renewal was seen/);
  });

  it('works from CommonJS (require), with its watcher still an ES module', async () => {
    const result = await exec(process.execPath, ['--test', 'test/node-test/starvation-cjs.test.cjs'], { cwd: ROOT });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/# pass 1\n/);
  });

  it('works in node:test, imported by the package name', async () => {
    const result = await exec(process.execPath, ['--test', 'test/node-test/starvation.test.mjs'], { cwd: ROOT });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/# pass 2\n/);
    expect(result.stdout).toMatch(/# fail 0\n/);
  });
});
