import { isCountedBlock } from '../record/blocks.js';
import type {
  AnyEvent,
  LeaseEvent,
  LeaseExpiredEvent,
  LeaseSourceName,
  LeaseSummary,
  RenewalEvent,
} from '../record/events.js';

/**
 * Per-lease figures for the run summary, folded from events so that the
 * watchdog's `end` and `starve-probe report` on a killed process's
 * recording agree.
 *
 * The starvation budget is the longest block a lease survives: TTL minus
 * the renewal interval (a block may begin just after a renewal) minus the
 * p99 of renewal I/O (the renewal that follows the block still has to
 * travel). It needs the interval and MIN_RENEWALS_FOR_BUDGET renewals;
 * otherwise it is null, with the reason.
 */

export const MIN_RENEWALS_FOR_BUDGET = 3;

interface LeaseAccumulator {
  lease: string;
  ttlMs: number;
  everyMs: number | null;
  source: LeaseSourceName;
  knownAt: number;
  renewals: number;
  failures: number;
  expiries: number;
  worstWaitMs: number | null;
  worstMarginMs: number | null;
  ioMs: number[];
  startTimes: number[];
}

export class LeaseSummaryBuilder {
  private readonly leases = new Map<string, LeaseAccumulator>();
  private readonly blocks: Array<{ endTime: number; durationMs: number }> = [];

  add(event: AnyEvent): void {
    switch (event.type) {
      case 'lease': return this.addLease(event as LeaseEvent);
      case 'renewal': return this.addRenewal(event as RenewalEvent);
      case 'lease-expired': {
        const acc = this.leases.get((event as LeaseExpiredEvent).lease);
        if (acc) acc.expiries++;
        return;
      }
      case 'block': {
        if (!isCountedBlock(event)) return;
        this.blocks.push({ endTime: event.time + event.durationMs, durationMs: event.durationMs });
        return;
      }
    }
  }

  private addLease(event: LeaseEvent): void {
    const existing = this.leases.get(event.lease);
    if (existing) {
      existing.ttlMs = event.ttlMs;
      existing.everyMs = event.everyMs ?? existing.everyMs;
      return;
    }
    this.leases.set(event.lease, {
      lease: event.lease, ttlMs: event.ttlMs, everyMs: event.everyMs ?? null, source: event.source,
      knownAt: event.time, renewals: 0, failures: 0, expiries: 0,
      worstWaitMs: null, worstMarginMs: null, ioMs: [], startTimes: [],
    });
  }

  private addRenewal(event: RenewalEvent): void {
    const acc = this.leases.get(event.lease);
    if (!acc) return;
    acc.renewals++;
    if (!event.ok) acc.failures++;
    acc.worstWaitMs = Math.max(acc.worstWaitMs ?? -Infinity, event.waitMs);
    acc.worstMarginMs = Math.min(acc.worstMarginMs ?? Infinity, event.marginMs);
    acc.ioMs.push(event.ioMs);
    acc.startTimes.push(event.time - event.ioMs);
  }

  build(): LeaseSummary[] {
    return [...this.leases.values()].map((acc) => this.summarize(acc));
  }

  private summarize(acc: LeaseAccumulator): LeaseSummary {
    const io = [...acc.ioMs].sort((a, b) => a - b);
    const ioP99Ms = io.length === 0 ? null : round(percentile(io, 99));
    const everyMs = acc.everyMs ?? inferEveryMs(acc.startTimes);
    const longestBlockMs = this.blocks
      .filter((b) => b.endTime >= acc.knownAt)
      .reduce((max, b) => Math.max(max, b.durationMs), 0);
    const budget = budgetOf(acc.ttlMs, everyMs, ioP99Ms, acc.renewals);
    return {
      lease: acc.lease,
      ttlMs: acc.ttlMs,
      everyMs: everyMs === null ? null : round(everyMs),
      source: acc.source,
      renewals: acc.renewals,
      failures: acc.failures,
      expiries: acc.expiries,
      worstWaitMs: acc.worstWaitMs,
      worstMarginMs: acc.worstMarginMs,
      ioP99Ms,
      budgetMs: budget.ms,
      ...(budget.reason ? { budgetReason: budget.reason } : {}),
      longestBlockMs: round(longestBlockMs),
    };
  }
}

export function budgetOf(
  ttlMs: number,
  everyMs: number | null,
  ioP99Ms: number | null,
  renewals: number,
): { ms: number | null; reason?: string } {
  if (everyMs === null) {
    const reason = 'the renewal interval is unknown: declare `every`, or let at least 3 renewals be seen';
    return { ms: null, reason };
  }
  if (renewals < MIN_RENEWALS_FOR_BUDGET || ioP99Ms === null) {
    const reason = `not enough data: ${renewals} renewal(s) seen, ` +
      `at least ${MIN_RENEWALS_FOR_BUDGET} are needed for the I/O percentile`;
    return { ms: null, reason };
  }
  return { ms: round(ttlMs - everyMs - ioP99Ms) };
}

/** The median gap between renewal starts, once there are three renewals. */
function inferEveryMs(startTimes: number[]): number | null {
  if (startTimes.length < MIN_RENEWALS_FOR_BUDGET) return null;
  const sorted = [...startTimes].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => t - (sorted[i] as number)).sort((a, b) => a - b);
  return percentile(gaps, 50);
}

function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
