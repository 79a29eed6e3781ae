import {
  freeSlot, overflowCount, slotViews, SLOT_CLAIM, SLOT_EXIT, SLOT_THREAD_ID, THREAD_SLOTS,
} from '../probe/threads.js';
import type { Clock } from '../util/clock.js';
import { monoMs } from '../util/clock.js';
import type { Attributor } from './attribute.js';
import { BlockMonitor, type Emit, type StackSource } from './blocks.js';
import type { FindingsPrinter } from './findings.js';

/**
 * Watches the application's worker threads (probe/threads.ts): one
 * BlockMonitor per taken slot, found by a scan every SCAN_MS, stopped and
 * its slot freed once the thread has exited.
 *
 * Known limits, written into docs/findings.md:
 * - no stack: the watchdog's inspector session reaches only the main
 *   thread (Session.connectToMainThread); a worker's own inspector can only
 *   be driven from inside that worker, which is the thread that is blocked.
 *   Blocks of worker threads carry `stack: null` with a `stackError` saying
 *   so, and their GC time is not measured (`gcMs: null`): with neither, their
 *   kind is `unknown`, and the recommendation says why.
 * - a worker is found within SCAN_MS of its start; a block that starts
 *   before is still timed from its last beat.
 */

const SCAN_MS = 200;

export const WORKER_STACK_ERROR =
  'no stack for worker threads: the probe\'s inspector session reaches only the main thread, ' +
  'and a worker\'s own inspector would have to be driven from the blocked worker itself';

const NO_STACKS: StackSource = {
  capture: () => Promise.resolve({ frames: null, error: WORKER_STACK_ERROR }),
  cancel: () => {},
};

export interface ThreadsMonitorOptions {
  sab: SharedArrayBuffer;
  clock: Clock;
  thresholdMs: number;
  findings: FindingsPrinter;
  emit: Emit;
  probeUrlPrefix: string;
  attributor: Attributor;
  newId: () => number;
}

export class ThreadsMonitor {
  private readonly monitors = new Map<number, BlockMonitor>();
  private timer: NodeJS.Timeout | null = null;
  private reportedOverflow = 0;

  constructor(private readonly o: ThreadsMonitorOptions) {}

  start(): void {
    this.scan();
  }

  private scan(): void {
    for (let slot = 0; slot < THREAD_SLOTS; slot++) {
      const views = slotViews(this.o.sab, slot);
      const claim = Atomics.load(views.i32, SLOT_CLAIM);
      const monitor = this.monitors.get(slot);
      if (monitor && Atomics.load(views.i32, SLOT_EXIT) !== 0) {
        monitor.closeAll(monoMs());
        this.monitors.delete(slot);
        freeSlot(this.o.sab, slot);
      } else if (!monitor && claim === 1 && Atomics.load(views.i32, SLOT_EXIT) === 0) {
        this.watch(slot, Atomics.load(views.i32, SLOT_THREAD_ID));
      } else if (!monitor && claim === 1) {
        freeSlot(this.o.sab, slot);
      }
    }
    this.noteOverflow();
    this.timer = setTimeout(() => this.scan(), SCAN_MS);
  }

  private watch(slot: number, threadId: number): void {
    const monitor = new BlockMonitor({
      views: slotViews(this.o.sab, slot),
      clock: this.o.clock,
      thresholdMs: this.o.thresholdMs,
      stacks: NO_STACKS,
      findings: this.o.findings,
      emit: this.o.emit,
      askGc: null,
      probeUrlPrefix: this.o.probeUrlPrefix,
      attributor: this.o.attributor,
      threadId,
      newId: this.o.newId,
    });
    this.monitors.set(slot, monitor);
    monitor.start();
  }

  private noteOverflow(): void {
    const overflow = overflowCount(this.o.sab);
    if (overflow === this.reportedOverflow) return;
    this.o.emit({
      type: 'threads-unmonitored',
      time: Date.now(),
      count: overflow,
      slots: THREAD_SLOTS,
    }, true);
    this.reportedOverflow = overflow;
  }

  close(atMono: number): void {
    if (this.timer) clearTimeout(this.timer);
    for (const monitor of this.monitors.values()) monitor.closeAll(atMono);
    this.monitors.clear();
  }
}
