import { describe, expect, it } from 'vitest';
import { MarginTracker } from '../../src/testing/margins.js';

describe('lease margins in the test helper, on fake time', () => {
  it('counts each renewal from the previous successful one, or the acquisition', () => {
    let now = 1000;
    const margins = new MarginTracker(() => now);
    margins.leaseAcquired({ lease: 'lock', ttlMs: 3000 });
    now += 1000;
    margins.renewalSettled({ lease: 'lock', ok: true, ioMs: 20, ttlMs: 3000 });
    now += 2500;
    margins.renewalSettled({ lease: 'lock', ok: false, ioMs: 20, ttlMs: 3000, error: 'HTTP 500' });
    now += 1000;
    margins.renewalSettled({ lease: 'lock', ok: true, ioMs: 20, ttlMs: 3000 });
    expect(margins.renewals.map((r) => r.marginMs)).toEqual([2000, 500, -500]);
  });

  it('counts a lease first seen at a renewal from that renewal’s own start', () => {
    let now = 0;
    const margins = new MarginTracker(() => now);
    now = 5000;
    margins.renewalSettled({ lease: 'old', ok: true, ioMs: 40, ttlMs: 1000 });
    expect(margins.renewals).toEqual([{ lease: 'old', ttlMs: 1000, marginMs: 960 }]);
  });

  it('forgets an ended lease and ignores messages it cannot use', () => {
    let now = 0;
    const margins = new MarginTracker(() => now);
    margins.leaseAcquired({ lease: 'lock', ttlMs: 1000 });
    margins.leaseEnded({ lease: 'lock' });
    now = 600;
    margins.renewalSettled({ lease: 'lock', ok: true });
    margins.renewalSettled(null);
    margins.renewalSettled({ ok: true });
    expect(margins.renewals).toEqual([]);
  });
});
