import { Session } from 'node:inspector';
import { postQuietly } from './inspector.js';
import { UNIT_EXPRESSION, unitFrameIndexes, unitOf } from '../attribution/units.js';
import type { Frame } from '../record/events.js';
import { monoMs } from '../util/clock.js';

/**
 * Takes the main thread's JavaScript stack from the watchdog while the main
 * thread is blocked, through the inspector: Debugger.enable, Debugger.pause,
 * read the paused call frames, Debugger.resume, Debugger.disable.
 *
 * Why enable per capture: an enabled Debugger domain slows await-heavy code
 * (measured about 1.75×), so between captures nothing stays switched on.
 * The price is that each enable re-announces every loaded script to us,
 * which grows with the size of the application; captures are therefore
 * rate-limited (see CaptureBudget).
 *
 * Honesty contract: a stack is returned only if the main thread paused
 * while the same block was still going on (the heartbeat had not moved).
 * A pause that lands after the block ended is thrown away with a reason.
 *
 * Known limit: V8 can only pause at a JavaScript statement. Inside a long
 * native call (a big crypto.pbkdf2Sync, zlib.gzipSync) the pause waits
 * until the call returns to JavaScript; the stack then shows the JavaScript
 * caller, taken late in the block, or none if the block ended with the call.
 */

interface CdpCallFrame {
  callFrameId: string;
  functionName: string;
  location: { scriptId: string; lineNumber: number; columnNumber?: number };
  functionLocation?: { scriptId: string; lineNumber: number; columnNumber?: number };
  url?: string;
}

interface CdpStackTrace {
  callFrames: Array<{ functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number }>;
  parent?: CdpStackTrace;
}

interface PausedParams {
  callFrames: CdpCallFrame[];
  asyncStackTrace?: CdpStackTrace;
}

export interface CaptureResult {
  frames: Frame[] | null;
  /** The unit of work on the stack (a BullMQ job, an HTTP request), when found. */
  unit?: string;
  error?: string;
  /** Monotonic time the main thread was paused. */
  pausedMono?: number;
}

const MAX_FRAMES = 64;
/** The main thread is resumed after this long even if an evaluation has not answered. */
const UNIT_WAIT_MS = 20;
const ASYNC_DEPTH = 16;

export class StackCapturer {
  private session: Session | null = null;
  private unavailable: string | null = null;
  private readonly scripts = new Map<string, string>();
  private readonly asyncStacks: boolean;
  private pending: {
    resolve: (result: CaptureResult) => void;
    stillBlocked: () => boolean;
  } | null = null;

  private readonly probeUrlPrefix: string | null;

  constructor(options: { asyncStacks: boolean; probeUrlPrefix?: string }) {
    this.asyncStacks = options.asyncStacks;
    this.probeUrlPrefix = options.probeUrlPrefix ?? null;
  }

  /** Connects to the main thread; returns why it cannot, or null. */
  connect(): string | null {
    if (this.session || this.unavailable) return this.unavailable;
    try {
      const session = new Session();
      session.connectToMainThread();
      session.on('Debugger.scriptParsed', (message: { params: { scriptId: string; url: string } }) => {
        this.scripts.set(message.params.scriptId, message.params.url);
      });
      session.on('Debugger.paused', (message: { params: PausedParams }) => this.onPaused(message.params));
      this.session = session;
      if (this.asyncStacks) {
        this.post('Debugger.enable');
        this.post('Debugger.setAsyncCallStackDepth', { maxDepth: ASYNC_DEPTH });
      }
    } catch (error) {
      this.unavailable = `inspector unavailable: ${(error as Error).message}`;
    }
    return this.unavailable;
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  /**
   * Ask the main thread to pause. `stillBlocked` is called the moment the
   * pause arrives and decides whether the stack belongs to the block.
   */
  capture(stillBlocked: () => boolean): Promise<CaptureResult> {
    const why = this.connect();
    if (why) return Promise.resolve({ frames: null, error: why });
    if (this.pending) return Promise.resolve({ frames: null, error: 'a capture was already under way' });
    return new Promise((resolve) => {
      this.pending = { resolve, stillBlocked };
      if (!this.asyncStacks) this.post('Debugger.enable');
      this.post('Debugger.pause');
    });
  }

  /** The block ended (or we gave up) before the pause arrived. */
  cancel(reason: string): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    // Disabling also drops the pause request still queued in V8.
    if (!this.asyncStacks) this.post('Debugger.disable');
    pending.resolve({ frames: null, error: reason });
  }

  close(): void {
    this.cancel('the watchdog is closing');
    try {
      this.session?.disconnect();
    } catch {
      // Nothing to do: the process is going away.
    }
    this.session = null;
  }

  private onPaused(params: PausedParams): void {
    const pausedMono = monoMs();
    const pending = this.pending;
    this.pending = null;
    const inBlock = pending ? pending.stillBlocked() : false;
    const frames = inBlock ? this.framesOf(params) : null;
    let resumed = false;
    const finish = (unit: string | null): void => {
      if (resumed) return;
      resumed = true;
      this.post('Debugger.resume');
      if (!this.asyncStacks) this.post('Debugger.disable');
      if (!pending) return;
      if (frames) pending.resolve({ frames, pausedMono, ...(unit ? { unit } : {}) });
      else pending.resolve({ frames: null, error: 'the pause came too late: the block had already ended', pausedMono });
    };
    if (!frames) return finish(null);
    const tries = unitFrameIndexes(frames, this.probeUrlPrefix)
      .map((i) => ({ frame: frames[i] as Frame, id: params.callFrames[i]?.callFrameId }))
      .filter((t) => t.id !== undefined);
    if (tries.length === 0) return finish(null);
    // Never leave the main thread paused on our account.
    setTimeout(() => finish(null), UNIT_WAIT_MS).unref();
    this.findUnit(tries, finish);
  }

  /** Evaluates UNIT_EXPRESSION on each frame in turn until one answers. */
  private findUnit(tries: Array<{ frame: Frame; id: string | undefined }>, done: (unit: string | null) => void): void {
    const next = tries.shift();
    if (!next?.id || !this.session) return done(null);
    const params = {
      callFrameId: next.id, expression: UNIT_EXPRESSION,
      returnByValue: true, silent: true, throwOnSideEffect: true,
    };
    try {
      this.session.post('Debugger.evaluateOnCallFrame', params, (error, answer) => {
        const value = error ? undefined : (answer as { result?: { value?: unknown } }).result?.value;
        const unit = unitOf(value, next.frame);
        if (unit) done(unit);
        else this.findUnit(tries, done);
      });
    } catch {
      done(null);
    }
  }

  private framesOf(params: PausedParams): Frame[] {
    const frames: Frame[] = params.callFrames.slice(0, MAX_FRAMES).map((f) => ({
      functionName: f.functionName,
      url: this.scripts.get(f.location.scriptId) ?? f.url ?? '',
      line: f.location.lineNumber + 1,
      column: (f.location.columnNumber ?? 0) + 1,
      // Where the function starts, for attribution (task.ts); not recorded.
      ...(f.functionLocation ? {
        functionLine: f.functionLocation.lineNumber + 1,
        functionColumn: (f.functionLocation.columnNumber ?? 0) + 1,
      } : {}),
    }));
    for (let trace = params.asyncStackTrace; trace && frames.length < MAX_FRAMES; trace = trace.parent) {
      for (const f of trace.callFrames) {
        frames.push({
          functionName: f.functionName,
          url: f.url || this.scripts.get(f.scriptId) || '',
          line: f.lineNumber + 1,
          column: f.columnNumber + 1,
          async: true,
        } as Frame);
      }
    }
    return frames.slice(0, MAX_FRAMES);
  }

  private post(method: string, params?: object): void {
    postQuietly(this.session, method, params);
  }
}

/**
 * Bounds what stack captures cost the main thread when blocks come in
 * quick succession: at most `perSecond` captures in any second. A block
 * that comes too soon gets no stack, and says so.
 */
export class CaptureBudget {
  private readonly recent: number[] = [];
  constructor(private readonly perSecond: number) {}

  tryTake(nowMono: number): boolean {
    while (this.recent.length > 0 && nowMono - (this.recent[0] as number) >= 1000) this.recent.shift();
    if (this.recent.length >= this.perSecond) return false;
    this.recent.push(nowMono);
    return true;
  }
}
