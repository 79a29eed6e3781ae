import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { LEASE_CHANNEL, LEASE_END_CHANNEL, RENEWAL_CHANNEL, lease, probeActive } from '../../src/api.js';

describe('starve-probe/api without the probe', () => {
  it('is a no-op: renew returns what the function returns, sync or async, and rethrows', async () => {
    expect(probeActive()).toBe(false);
    const l = lease('orders-lock', { ttl: '30s', every: '10s' });
    expect(l.renew(() => 42)).toBe(42);
    await expect(l.renew(async () => 'extended')).resolves.toBe('extended');
    const boom = new Error('lock service down');
    expect(() => l.renew(() => { throw boom; })).toThrow(boom);
    await expect(l.renew(() => Promise.reject(boom))).rejects.toBe(boom);
    l.renewed();
    l.end();
  });

  it.each([
    [{ ttl: 'soon' }, 'lease option ttl must be a duration such as 250ms, 2s or 1.5m (a bare number means milliseconds), above zero; got "soon"'],
    [{ ttl: 0 }, 'lease option ttl must be'],
    [{ ttl: '1s', every: '-1s' }, 'lease option every must be a duration such as 250ms, 2s or 1.5m (a bare number means milliseconds), above zero; got "-1s"'],
  ])('rejects %j with ERR_STARVE_PROBE_INVALID_OPTION naming the field and value', (options, message) => {
    let caught: unknown;
    try {
      lease('x', options as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'ERR_STARVE_PROBE_INVALID_OPTION' });
    expect((caught as Error).message).toContain(message);
  });
});

describe('starve-probe/api with a listener on its channels', () => {
  const seen: Array<[string, unknown]> = [];
  const listeners = [LEASE_CHANNEL, RENEWAL_CHANNEL, LEASE_END_CHANNEL].map((name) => {
    const fn = (message: unknown): void => void seen.push([name, message]);
    return [name, fn] as const;
  });
  afterEach(() => {
    for (const [name, fn] of listeners) unsubscribe(name, fn);
    seen.length = 0;
  });

  it('publishes the lease, each renewal with its outcome and I/O time, and the end', async () => {
    for (const [name, fn] of listeners) subscribe(name, fn);
    const l = lease('orders-lock', { ttl: '3s', every: 1000 });
    expect(await l.renew(() => new Promise((r) => setTimeout(() => r('ok'), 30)))).toBe('ok');
    await expect(l.renew(() => Promise.reject(new Error('HTTP 410')))).rejects.toThrow('HTTP 410');
    l.renewed();
    l.end();
    l.renewed();
    expect(seen[0]).toEqual([LEASE_CHANNEL, { lease: 'orders-lock', ttlMs: 3000, everyMs: 1000 }]);
    const renewals = seen.filter(([name]) => name === RENEWAL_CHANNEL).map(([, m]) => m as Record<string, unknown>);
    expect(renewals).toHaveLength(3);
    expect(renewals[0]).toMatchObject({ lease: 'orders-lock', ok: true, ttlMs: 3000 });
    expect(renewals[0]!.ioMs as number).toBeGreaterThanOrEqual(25);
    expect(renewals[1]).toMatchObject({ ok: false, error: 'HTTP 410' });
    expect(renewals[2]).toMatchObject({ ok: true, ioMs: 0 });
    expect(seen.at(-1)).toEqual([LEASE_END_CHANNEL, { lease: 'orders-lock' }]);
  });
});
