import type { Frame } from '../record/events.js';
import type { Clock } from '../util/clock.js';
import { SLOT_HELD, type SlotReading } from './slots.js';
import type { LeaseKnownMessage } from './messages.js';
import { LEASE_NOT_LOOP_ADVICE, recommendLeaseInBlock } from '../attribution/recommend.js';

/**
 * The watchdog's half of leases: it reads each lease's deadline from shared
 * memory and writes `lease-expired` the moment one passes with no
 * successful renewal, and `lease-risk` when, during a block, the time left
 * falls below a fraction of the TTL. Neither needs the main thread to run.
 *
 * It sleeps until the earliest moment something can happen (a deadline, or
 * during a block the moment a lease enters its risk zone) and looks again
 * when a lease becomes known or a block starts or gets its stack. A
 * renewal only ever moves a deadline later, so waking at the earliest
 * deadline never misses one; waking early merely finds nothing to do.
 *
 * Precision: `lease-expired` carries the deadline itself as its `time`,
 * so its accuracy is that of the clocks (sub-millisecond), not of our
 * wake-up. It is written within a few milliseconds of the deadline; when
 * the deadline falls in a block whose stack is still being taken, the
 * write waits for the stack (at most STACK_WAIT_MS) so it can name the
 * site, and when the heartbeat is late but no block is declared yet, for
 * the block detector (at most the block threshold).
 */

export interface CurrentBlock {
  id: number;
  startMono: number;
  stack: Frame[] | null;
  site: string | null;
  captureSettled: boolean;
  /** What the evidence so far says the block is (attribution). */
  kind?: string;
}

export interface LeaseWatchOptions {
  read: (slot: number) => SlotReading | null;
  clock: Clock;
  riskFraction: number;
  currentBlock: () => CurrentBlock | null;
  emit: (event: { type: string; time: number; [field: string]: unknown }, urgent?: boolean) => void;
  /** setTimeout in production; fake timers in tests. */
  schedule: (fn: () => void, delayMs: number) => { cancel(): void };
  /** How long an expiry inside a block waits for that block's stack. */
  stackWaitMs: number;
  /** Monotonic ms of the main thread's last heartbeat. */
  lastBeatMono: () => number;
  heartbeatMs: number;
  thresholdMs: number;
}

interface Watched {
  slot: number;
  generation: number;
  lease: string;
  ttlMs: number;
  everyMs: number | null;
  /** The deadline already reported as expired. */
  expiredDeadline: number;
  /** `<block id>:<deadline>` already reported at risk. */
  riskKey: string;
}

export class LeaseWatch {
  private readonly watched = new Map<number, Watched>();
  private wake: { cancel(): void } | null = null;
  private closed = false;

  constructor(private readonly o: LeaseWatchOptions) {}

  known(message: LeaseKnownMessage): void {
    this.watched.set(message.slot, {
      slot: message.slot,
      generation: message.generation,
      lease: message.lease,
      ttlMs: message.ttlMs,
      everyMs: message.everyMs,
      expiredDeadline: -1,
      riskKey: '',
    });
    this.check();
  }

  /** A block started or its stack arrived: risks and waiting expiries change. */
  blockChanged(): void {
    this.check();
  }

  close(): void {
    this.closed = true;
    this.wake?.cancel();
    this.wake = null;
  }

  check(): void {
    if (this.closed) return;
    this.wake?.cancel();
    this.wake = null;
    const now = this.o.clock.monoMs();
    const block = this.o.currentBlock();
    let next = Infinity;
    for (const w of this.watched.values()) {
      const slot = this.o.read(w.slot);
      // Another generation: the slot was given to a lease we have not
      // been told of yet; its message is on its way.
      if (!slot || slot.generation !== w.generation) continue;
      if (slot.state !== SLOT_HELD || slot.deadlineMono <= 0) continue;
      next = Math.min(next, this.checkOne(w, slot, now, block));
    }
    if (next !== Infinity) {
      this.wake = this.o.schedule(() => this.check(), Math.max(1, next - now));
    }
  }

  /** Returns when this lease next needs a look (monotonic ms). */
  private checkOne(w: Watched, slot: SlotReading, now: number, block: CurrentBlock | null): number {
    const deadline = slot.deadlineMono;
    if (now >= deadline) {
      if (w.expiredDeadline === deadline) return Infinity;
      if (block && !block.captureSettled && now - block.startMono < this.o.stackWaitMs) {
        return now + 5;
      }
      if (!block && this.blockMayBeStarting(now)) return now + 5;
      w.expiredDeadline = deadline;
      this.expired(w, slot, block);
      return Infinity;
    }
    const riskAt = deadline - this.o.riskFraction * w.ttlMs;
    if (!block) return deadline;
    const key = `${block.id}:${deadline}`;
    if (now >= riskAt && w.riskKey !== key) {
      w.riskKey = key;
      this.o.emit({
        type: 'lease-risk',
        time: this.o.clock.epochMs(now),
        lease: w.lease,
        ttlMs: w.ttlMs,
        marginMs: round(deadline - now),
        blockedMs: round(now - block.startMono),
        ...blockFields(block),
        ...advice(w, now - block.startMono, block),
      }, true);
    }
    return now >= riskAt ? deadline : riskAt;
  }

  /**
   * The heartbeat is late but not yet by the block threshold: the main
   * thread may be in a block that is about to be detected. Waiting for the
   * detector (at most the threshold) lets the expiry name that block.
   */
  private blockMayBeStarting(now: number): boolean {
    const sinceBeatMs = now - this.o.lastBeatMono();
    return sinceBeatMs > 2 * this.o.heartbeatMs + 5 && sinceBeatMs <= this.o.thresholdMs + 50;
  }

  private expired(w: Watched, slot: SlotReading, block: CurrentBlock | null): void {
    const duringBlock = block !== null && block.startMono <= slot.deadlineMono;
    this.o.emit({
      type: 'lease-expired',
      time: this.o.clock.epochMs(slot.deadlineMono),
      lease: w.lease,
      ttlMs: w.ttlMs,
      sinceRenewalMs: round(slot.deadlineMono - slot.lastOkMono),
      duringBlock,
      ...(duringBlock && block
        ? { ...blockFields(block), blockId: block.id, ...advice(w, this.o.clock.monoMs() - block.startMono, block) }
        : { recommendation: LEASE_NOT_LOOP_ADVICE }),
    }, true);
  }
}

function advice(w: Watched, blockedMs: number, block: CurrentBlock): { kind?: string; recommendation: string } {
  const recommendation = recommendLeaseInBlock({ blockedMs, ttlMs: w.ttlMs, everyMs: w.everyMs, kind: block.kind });
  return { ...(block.kind ? { kind: block.kind } : {}), recommendation };
}

function blockFields(block: CurrentBlock): { site?: string; stack?: Frame[] } {
  return {
    ...(block.site ? { site: block.site } : {}),
    ...(block.stack ? { stack: block.stack } : {}),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
