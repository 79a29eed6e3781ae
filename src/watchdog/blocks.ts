import type { Frame } from '../record/events.js';
import type { Clock } from '../util/clock.js';
import { monoMs } from '../util/clock.js';
import { EXIT, EXIT_RUNNING, LAST_BEAT_F64, SEQ, type SharedViews } from '../probe/shared.js';
import { BlockDetector, type BeatReading, type BlockTransition } from './detector.js';
import type { FindingsPrinter } from './findings.js';
import { CaptureBudget, type CaptureResult } from './stacks.js';
import type { StackSample } from '../attribution/kind.js';
import type { Attributor } from './attribute.js';
import type { Attribution, BlockKind } from '../record/events.js';

/**
 * Turns heartbeat readings into `block-start` and `block` events.
 *
 * While the main thread runs, the watchdog sleeps until the moment the
 * heartbeat would become overdue (about one wake-up per threshold). While
 * it is blocked, it waits on the heartbeat counter itself
 * (Atomics.waitAsync), so the end of a block is seen within microseconds.
 */

/** How long block-start waits for the stack before it is written without one. */
export const STACK_WAIT_MS = 50;
/** How long a finished block waits for the main thread's GC figure. */
export const GC_ANSWER_WAIT_MS = 1000;
/** Stack captures allowed per second; each costs the main thread a Debugger.enable. */
export const CAPTURES_PER_SECOND = 4;
/** A block still going after this long is announced on stderr. */
export const STILL_BLOCKED_NOTICE_MS = 1000;
/** How often a long block writes `block-ongoing` while it lasts. */
export const ONGOING_EVERY_MS = 1000;
const BLOCKED_POLL_MS = 250;
/**
 * Stack samples per block (attribution, issue 4): the first at detection,
 * then one every half threshold (at least MIN_SAMPLE_GAP_MS) while the
 * block lasts. Several samples tell a flood of short promise continuations
 * from one long call, and a later one often lands just after a long native
 * call returns, where it names the call.
 */
export const SAMPLES_PER_BLOCK = 3;
export const MIN_SAMPLE_GAP_MS = 25;
/** Longest wait for held-back evidence (a profile) before the block is written. */
export const HOLD_MAX_MS = 5000;

/** What BlockMonitor needs from a stack taker (the inspector, or none for worker threads). */
export interface StackSource {
  capture(stillBlocked: () => boolean): Promise<CaptureResult>;
  cancel(reason: string): void;
}

export type Emit = (event: { type: string; time: number; [field: string]: unknown }, urgent?: boolean) => void;

export interface OpenBlock {
  id: number;
  startMono: number;
  seq: number;
  stack: Frame[] | null;
  stackError: string | undefined;
  site: string | null;
  stackAtMs: number | undefined;
  captureSettled: boolean;
  /** Every stack sample taken, generated positions (for the rules). */
  samples: StackSample[];
  /** A later sample is being taken (or waited for). */
  sampling: boolean;
  startWritten: boolean;
  noticed: boolean;
  /** Work that must finish before the block event is written (a profile). */
  holds: number;
  /** Fields added to the block event by such work (`profile`). */
  extra: Record<string, unknown>;
  /** blockedMs of the last `block-ongoing` written. */
  ongoingAtMs?: number;
  /** The unit of work found by the first sample that found one. */
  unit?: string;
  /** Still under way when the main thread began to exit. */
  atExit?: boolean;
  /** The block's findings, once its `block` event is written ('finish'). */
  attribution?: Attribution & { site: string | null };
  end: { endMono: number; gcMs: number | null; gcSettled: boolean } | null;
}

/** 'finish': the block event was written; `block.attribution` holds its findings. */
export type BlockPhase = 'start' | 'stack' | 'end' | 'finish';

export interface BlockMonitorOptions {
  views: SharedViews;
  clock: Clock;
  thresholdMs: number;
  stacks: StackSource;
  findings: FindingsPrinter;
  emit: Emit;
  /** Null when the thread's GC cannot be asked about (worker threads). */
  askGc: ((id: number, fromMono: number, toMono: number) => void) | null;
  probeUrlPrefix: string;
  attributor: Attributor;
  /** Set for an application's worker thread; absent for the main thread. */
  threadId?: number;
  /** Block ids shared by every thread's monitor (unique per recording). */
  newId?: () => number;
}

export class BlockMonitor {
  private readonly detector: BlockDetector;
  private readonly budget = new CaptureBudget(CAPTURES_PER_SECOND);
  private readonly open = new Map<number, OpenBlock>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Listeners told of block starts and ends (leases use them). */
  readonly listeners: Array<(block: OpenBlock, phase: BlockPhase) => void> = [];

  constructor(private readonly o: BlockMonitorOptions) {
    this.detector = new BlockDetector(o.thresholdMs, o.newId);
  }

  start(): void {
    this.tick();
  }

  /** The block now under way, if any. */
  get current(): OpenBlock | null {
    const id = this.detector.currentBlock?.id;
    return id === undefined ? null : this.open.get(id) ?? null;
  }

  private reading(): BeatReading {
    return { seq: Atomics.load(this.o.views.i32, SEQ), lastBeatMono: this.o.views.f64[LAST_BEAT_F64] ?? 0 };
  }

  private tick(): void {
    if (this.closed) return;
    if (Atomics.load(this.o.views.i32, EXIT) !== EXIT_RUNNING) return;
    const reading = this.reading();
    const now = monoMs();
    const transition = this.detector.update(reading, now);
    if (transition) this.onTransition(transition, now);
    this.maybeNotice(now);
    this.schedule(reading);
  }

  private schedule(reading: BeatReading): void {
    const block = this.detector.currentBlock;
    if (block) {
      const wait = Atomics.waitAsync(this.o.views.i32, SEQ, block.seq, BLOCKED_POLL_MS);
      if (wait.async) void wait.value.then(() => this.tick());
      else setImmediate(() => this.tick());
      return;
    }
    const delayMs = Math.max(1, this.detector.nextCheckMono(reading) - monoMs());
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private onTransition(t: BlockTransition, now: number): void {
    if (t.kind === 'start') this.blockStarted(t.id, t.startMono, t.seq, now);
    else this.blockEnded(t.id, t.endMono);
  }

  private blockStarted(id: number, startMono: number, seq: number, now: number): void {
    const block: OpenBlock = {
      id, startMono, seq,
      stack: null, stackError: undefined, site: null, stackAtMs: undefined,
      captureSettled: false, samples: [], sampling: false,
      startWritten: false, noticed: false, end: null,
      holds: 0, extra: {},
    };
    this.open.set(id, block);
    this.notify(block, 'start');

    if (!this.budget.tryTake(now)) {
      block.stackError = `not taken: at most ${CAPTURES_PER_SECOND} stacks are taken per second and blocks came faster`;
      block.captureSettled = true;
      this.writeStart(block);
      return;
    }
    const waitTimer = setTimeout(() => {
      if (!block.startWritten) this.writeStart(block, 'not taken yet: the main thread has not reached a point where it can pause (a long native call?)');
    }, STACK_WAIT_MS);
    void this.o.stacks.capture(this.stillBlocked(seq)).then((result) => {
      clearTimeout(waitTimer);
      block.captureSettled = true;
      if (result.frames) {
        this.addSample(block, result);
        block.stack = this.o.attributor.publicStack(result.frames);
        block.site = this.o.attributor.site(block.stack);
        block.stackAtMs = result.pausedMono === undefined ? undefined : round(result.pausedMono - startMono);
        block.stackError = undefined;
        this.notify(block, 'stack');
      } else {
        block.stackError = result.error;
      }
      if (!block.startWritten) this.writeStart(block);
      if (result.frames) this.sampleAgain(block);
      this.maybeFinish(block);
    });
  }

  private stillBlocked(seq: number): () => boolean {
    return () => Atomics.load(this.o.views.i32, SEQ) === seq;
  }

  private addSample(block: OpenBlock, result: CaptureResult): void {
    if (!result.frames) return;
    const atMs = result.pausedMono === undefined ? 0 : round(result.pausedMono - block.startMono);
    block.samples.push({ frames: result.frames, atMs });
    block.unit ??= result.unit;
  }

  /**
   * When the first sample held only Node's internals (a pause between two
   * promise continuations), a later sample that shows code names the site.
   */
  private preferCodeSite(block: OpenBlock, frames: NonNullable<CaptureResult['frames']>): void {
    if (block.site && !block.site.includes('(node:')) return;
    const stack = this.o.attributor.publicStack(frames);
    const site = this.o.attributor.site(stack);
    if (!site || site.includes('(node:')) return;
    block.stack = stack;
    block.site = site;
  }

  /** Takes the block's next sample after SAMPLE_GAP_MS, while it lasts. */
  private sampleAgain(block: OpenBlock): void {
    if (block.end || block.samples.length >= SAMPLES_PER_BLOCK) return;
    block.sampling = true;
    setTimeout(() => {
      if (block.end || this.closed) {
        block.sampling = false;
        return;
      }
      void this.o.stacks.capture(this.stillBlocked(block.seq)).then((result) => {
        block.sampling = false;
        if (block.end && !this.open.has(block.id)) return;
        this.addSample(block, result);
        if (result.frames) {
          this.preferCodeSite(block, result.frames);
          this.sampleAgain(block);
        }
        this.maybeFinish(block);
      });
    }, Math.max(MIN_SAMPLE_GAP_MS, this.o.thresholdMs / 2));
  }

  private writeStart(block: OpenBlock, pendingReason?: string): void {
    block.startWritten = true;
    const now = monoMs();
    this.o.emit({
      type: 'block-start',
      time: this.o.clock.epochMs(now),
      id: block.id,
      blockedMs: round(now - block.startMono),
      stack: block.stack,
      ...(block.stack ? {} : { stackError: pendingReason ?? block.stackError ?? 'no stack' }),
      site: block.site,
      ...this.threadField(),
      ...(block.samples.length > 0 ? { kind: this.provisionalKind(block, now) } : {}),
    }, true);
  }

  /** The kind the evidence so far points to, for a block still under way. */
  provisionalKind(block: OpenBlock, nowMono: number): BlockKind | undefined {
    if (block.samples.length === 0) return undefined;
    return this.o.attributor.provisionalKind({
      durationMs: nowMono - block.startMono, gcMs: null,
      samples: block.samples, stackError: block.stackError,
    });
  }

  private threadField(): { threadId?: number } {
    return this.o.threadId === undefined ? {} : { threadId: this.o.threadId };
  }

  private blockEnded(id: number, endMono: number): void {
    const block = this.open.get(id);
    if (!block) return;
    block.end = { endMono, gcMs: null, gcSettled: false };
    if (!block.captureSettled) {
      this.o.stacks.cancel('the block ended before the main thread could be paused (a native call, such as a *Sync API, held it until the end)');
    } else if (block.sampling) {
      this.o.stacks.cancel('the block ended before a further sample could be taken');
    }
    if (!this.o.askGc) {
      block.end.gcSettled = true;
      this.notify(block, 'end');
      this.maybeFinish(block);
      return;
    }
    this.o.askGc(id, block.startMono, endMono);
    setTimeout(() => {
      if (block.end && !block.end.gcSettled) {
        block.end.gcSettled = true;
        this.maybeFinish(block);
      }
    }, GC_ANSWER_WAIT_MS).unref();
    this.notify(block, 'end');
  }

  gcAnswered(id: number, gcMs: number): void {
    const block = this.open.get(id);
    if (!block?.end || block.end.gcSettled) return;
    block.end.gcMs = round(gcMs);
    block.end.gcSettled = true;
    this.maybeFinish(block);
  }

  private maybeFinish(block: OpenBlock, force = false): void {
    if (!block.end) return;
    if (!force && (!block.captureSettled || !block.end.gcSettled || block.holds > 0)) return;
    this.open.delete(block.id);
    if (!block.startWritten) this.writeStart(block);
    const durationMs = round(block.end.endMono - block.startMono);
    const stackError = block.stack ? undefined : block.stackError ?? 'no stack';
    if (block.atExit && isShutdownWait(block.stack, this.o.probeUrlPrefix)) {
      this.finishShutdownWait(block, durationMs);
      return;
    }
    const { site, ...attribution } = this.o.attributor.attribute({
      durationMs, gcMs: block.end.gcMs, samples: block.samples, stackError, ...this.threadField(),
      startMono: block.startMono, ...(block.unit ? { unit: block.unit } : {}),
    }, block.stack, block.site);
    block.site = site;
    block.attribution = { site, ...attribution };
    this.o.emit({
      type: 'block',
      time: this.o.clock.epochMs(block.startMono),
      id: block.id,
      durationMs,
      gcMs: block.end.gcMs,
      stack: block.stack,
      ...(stackError === undefined ? {} : { stackError }),
      site: block.site,
      ...(block.stackAtMs === undefined ? {} : { stackAtMs: block.stackAtMs }),
      ...this.threadField(),
      ...(block.samples.length > 0 ? { samples: block.samples.length } : {}),
      ...block.extra,
      ...attribution,
    }, true);
    this.o.findings.blockEnded(durationMs, block.site, monoMs(), attribution.kind, this.o.threadId);
    this.notify(block, 'finish');
  }

  /**
   * After the application's last callback, Node.js waits for its own
   * background work before it exits (measured here: 70 to 170 ms for the
   * WebAssembly HTTP parser fetch compiles). No timer runs meanwhile, so the
   * heartbeat stops, but nothing of the application waits: it is recorded
   * with `shutdown: true`, not counted, and not said on stderr.
   */
  private finishShutdownWait(block: OpenBlock, durationMs: number): void {
    this.o.emit({
      type: 'block',
      time: this.o.clock.epochMs(block.startMono),
      id: block.id,
      durationMs,
      gcMs: block.end?.gcMs ?? null,
      stack: block.stack,
      site: block.site,
      ...this.threadField(),
      shutdown: true,
      kind: 'unknown',
      evidence: { rule: 'shutdown', reason: 'still under way at exit, with only Node.js internals on the stack' },
      recommendation: 'Nothing to fix: Node.js was shutting down and waited for its own background ' +
        'work after the application\'s last callback; no application code was held back.',
    }, true);
    this.notify(block, 'finish');
  }

  private maybeNotice(now: number): void {
    const block = this.current;
    if (!block || now - block.startMono < STILL_BLOCKED_NOTICE_MS) return;
    this.writeOngoing(block, now);
    if (block.noticed) return;
    block.noticed = true;
    this.o.findings.stillBlocked(now - block.startMono, block.site, now, this.o.threadId);
  }

  /**
   * Every ONGOING_EVERY_MS of a long block, one line saying it goes on: a
   * process killed during the block (a liveness probe's SIGKILL) leaves a
   * recording that still says how long it lasted at least.
   */
  private writeOngoing(block: OpenBlock, now: number): void {
    const blockedMs = now - block.startMono;
    if (blockedMs - (block.ongoingAtMs ?? 0) < ONGOING_EVERY_MS) return;
    block.ongoingAtMs = blockedMs;
    this.o.emit({
      type: 'block-ongoing',
      time: this.o.clock.epochMs(now),
      id: block.id,
      blockedMs: round(blockedMs),
      site: block.site,
      ...this.threadField(),
      ...(block.samples.length > 0 ? { kind: this.provisionalKind(block, now) } : {}),
    }, true);
  }

  /**
   * Keeps the block event back until the returned release is called (at
   * most HOLD_MAX_MS), so late evidence such as a profile can be linked.
   */
  hold(block: OpenBlock): () => void {
    block.holds++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      block.holds--;
      this.maybeFinish(block);
    };
    setTimeout(release, HOLD_MAX_MS).unref();
    return release;
  }

  /** The main thread is exiting: finish every block with what is known. */
  closeAll(atMono: number): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const current = this.detector.currentBlock;
    this.detector.reset();
    if (current) {
      const block = this.open.get(current.id);
      if (block && !block.end) {
        block.end = { endMono: atMono, gcMs: null, gcSettled: true };
        block.atExit = true;
      }
    }
    this.o.stacks.cancel('the process exited during the block, before its stack could be taken');
    for (const block of [...this.open.values()]) {
      if (!block.captureSettled) {
        block.captureSettled = true;
        block.stackError ??= 'the process exited before the stack could be taken';
      }
      if (block.end) this.maybeFinish(block, true);
    }
  }

  private notify(block: OpenBlock, phase: BlockPhase): void {
    for (const listener of this.listeners) listener(block, phase);
  }
}

/**
 * A stack with frames, all of them Node.js internals (`node:…`) or the
 * probe's own exit handler: nothing of the application was running.
 */
function isShutdownWait(stack: readonly Frame[] | null, probeUrlPrefix: string): boolean {
  return stack !== null && stack.length > 0 &&
    stack.every((f) => f.url.startsWith('node:') || f.url.startsWith(probeUrlPrefix));
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
