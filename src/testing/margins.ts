import type { LeaseMargin } from './measure.js';

/**
 * Lease margins from the messages of `starve-probe/api` (or any publisher
 * of the lease channels): the TTL left when each renewal settled, counted
 * from the previous successful renewal, or from the lease's acquisition.
 * The same arithmetic as the probe's tracker, on an injected clock.
 *
 * A lease acquired before measuring began is first seen at its first
 * renewal: that renewal is counted from its own start (its `ioMs` before
 * it settled), so its margin is the TTL less its I/O.
 */
export class MarginTracker {
  private readonly lastOkMs = new Map<string, { ttlMs: number; atMs: number }>();
  readonly renewals: LeaseMargin[] = [];

  constructor(private readonly nowMs: () => number) {}

  leaseAcquired(message: unknown): void {
    const m = message as { lease?: unknown; ttlMs?: unknown } | null;
    if (typeof m?.lease !== 'string' || typeof m.ttlMs !== 'number') return;
    this.lastOkMs.set(m.lease, { ttlMs: m.ttlMs, atMs: this.nowMs() });
  }

  leaseEnded(message: unknown): void {
    const lease = (message as { lease?: unknown } | null)?.lease;
    if (typeof lease === 'string') this.lastOkMs.delete(lease);
  }

  renewalSettled(message: unknown): void {
    const m = message as Record<string, unknown> | null;
    if (!m || typeof m.lease !== 'string') return;
    // A publisher that measured the margin itself is taken at its word.
    if (typeof m.marginMs === 'number' && typeof m.ttlMs === 'number') {
      this.renewals.push({ lease: m.lease, ttlMs: m.ttlMs, marginMs: m.marginMs });
      return;
    }
    const now = this.nowMs();
    const ioMs = typeof m.ioMs === 'number' ? m.ioMs : 0;
    let held = this.lastOkMs.get(m.lease);
    if (!held) {
      if (typeof m.ttlMs !== 'number') return;
      held = { ttlMs: m.ttlMs, atMs: now - ioMs };
    }
    const marginMs = Math.round((held.ttlMs - (now - held.atMs)) * 100) / 100;
    this.renewals.push({ lease: m.lease, ttlMs: held.ttlMs, marginMs });
    this.lastOkMs.set(m.lease, m.ok === true ? { ttlMs: held.ttlMs, atMs: now } : held);
  }
}
