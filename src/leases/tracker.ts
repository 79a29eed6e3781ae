import { LeaseSlots, MAX_LEASE_SLOTS, SLOT_ENDED, SLOT_HELD } from './slots.js';
import type { LeaseMessageItem, LeaseSource } from './messages.js';

/**
 * The main thread's book of leases. Every source (API channels, HTTP
 * requests, timers) reports here; the tracker measures each renewal, moves
 * the lease's deadline in shared memory when one succeeds, and hands the
 * events to the watchdog to record. Time comes from `nowMono` so the
 * arithmetic is tested on fake time.
 *
 * The measures, all in milliseconds:
 *   waitMs   how late the renewal started against when it was due: the
 *            timer's due time when a timer drives it, else `every` after
 *            the previous renewal settled (0 when neither is known).
 *            Counting from the settle, not the start, means slow I/O of the
 *            previous renewal is never counted as loop wait.
 *   ioMs     from the renewal's start to its settle.
 *   marginMs TTL left when it settled: previous success + ttl − settle.
 *            Negative: it settled after the lease had expired. A lease first
 *            seen through its first renewal (HTTP) is declared acquired at
 *            that renewal's start, so its margin counts from there.
 */

export interface TrackedLease {
  name: string;
  slot: number;
  generation: number;
  ttlMs: number;
  everyMs: number | null;
  source: LeaseSource;
  /** Monotonic ms of the last success (or acquisition); null: not yet known. */
  lastOkMono: number | null;
  /** When the previous renewal (or the acquisition) settled. */
  lastSettleMono: number | null;
  ended: boolean;
}

export interface RenewalTiming {
  startMono: number;
  settleMono: number;
  ok: boolean;
  error?: string;
  /** When the renewal was due, if a timer says so. */
  dueMono?: number;
}

export interface TrackerOptions {
  slots: LeaseSlots;
  nowMono: () => number;
  post: (message: LeaseMessageItem) => void;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

export class LeaseTracker {
  private readonly leases = new Map<string, TrackedLease>();
  private nextSlot = 0;
  /** Slots of ended leases, given to the next new name. */
  private readonly freeSlots: number[] = [];
  private readonly generations: number[] = [];

  constructor(private readonly o: TrackerOptions) {}

  get(name: string): TrackedLease | undefined {
    return this.leases.get(name);
  }

  /**
   * A lease became known. `acquired`: it is held from `atMono` on (API,
   * timer creation), so its first deadline is atMono + ttl. A lease that
   * is already known and held keeps its deadline. An ended lease's slot is
   * reused, so at most MAX_LEASE_SLOTS leases are held at once.
   */
  declare(
    name: string,
    ttlMs: number,
    everyMs: number | null,
    source: LeaseSource,
    atMono: number,
    acquired: boolean,
  ): TrackedLease | null {
    const known = this.leases.get(name);
    if (known) return known;
    const slot = this.freeSlots.pop() ?? (this.nextSlot < MAX_LEASE_SLOTS ? this.nextSlot++ : null);
    if (slot === null) return null;
    const generation = (this.generations[slot] ?? 0) + 1;
    this.generations[slot] = generation;
    const lease: TrackedLease = {
      name, slot, generation, ttlMs, everyMs, source,
      lastOkMono: null, lastSettleMono: null, ended: false,
    };
    this.leases.set(name, lease);
    this.o.post({ t: 'lease-known', slot, generation, lease: name, ttlMs, everyMs, source, atMono });
    if (acquired) {
      lease.lastOkMono = atMono;
      lease.lastSettleMono = atMono;
      this.publish(lease);
    }
    return lease;
  }

  renewal(name: string, timing: RenewalTiming): void {
    const lease = this.leases.get(name);
    if (!lease || lease.ended) return;
    const { startMono, settleMono, ok } = timing;
    const ioMs = Math.max(0, settleMono - startMono);
    const marginFrom = lease.lastOkMono ?? startMono;
    const marginMs = marginFrom + lease.ttlMs - settleMono;
    const waitMs = this.waitMs(lease, timing, lease.lastSettleMono);
    lease.lastSettleMono = settleMono;
    if (ok) {
      lease.lastOkMono = settleMono;
      this.publish(lease);
    }
    this.o.post({
      t: 'lease-event',
      atMono: settleMono,
      event: {
        type: 'renewal',
        lease: name,
        ttlMs: lease.ttlMs,
        ok,
        waitMs: round(waitMs),
        ioMs: round(ioMs),
        marginMs: round(marginMs),
        ...(ok ? {} : { error: timing.error ?? 'failed' }),
      },
    });
  }

  private waitMs(
    lease: TrackedLease,
    timing: RenewalTiming,
    previousSettleMono: number | null,
  ): number {
    if (timing.dueMono !== undefined) return Math.max(0, timing.startMono - timing.dueMono);
    if (lease.everyMs === null || previousSettleMono === null) return 0;
    return Math.max(0, timing.startMono - (previousSettleMono + lease.everyMs));
  }

  end(name: string): void {
    const lease = this.leases.get(name);
    if (!lease || lease.ended) return;
    lease.ended = true;
    this.leases.delete(name);
    this.freeSlots.push(lease.slot);
    this.o.slots.write(lease.slot, {
      deadlineMono: 0,
      lastOkMono: lease.lastOkMono ?? 0,
      ttlMs: lease.ttlMs,
      state: SLOT_ENDED,
      generation: lease.generation,
    });
  }

  private publish(lease: TrackedLease): void {
    const lastOkMono = lease.lastOkMono ?? 0;
    this.o.slots.write(lease.slot, {
      deadlineMono: lastOkMono + lease.ttlMs,
      lastOkMono,
      ttlMs: lease.ttlMs,
      state: SLOT_HELD,
      generation: lease.generation,
    });
  }
}
