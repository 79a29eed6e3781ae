/**
 * The watcher thread of `starve-probe/testing`. It reads the test thread's
 * heartbeat from shared memory and times each block from here, so the
 * measurement does not depend on the blocked thread's own clock reading.
 * It may block itself (Atomics.wait): it is its own thread and does
 * nothing else.
 *
 *   test thread                              watcher (this file)
 *   heartbeat ── SharedArrayBuffer ────────▶ waits on SEQ; a beat overdue
 *                                            by more than the threshold
 *                                            opens a block, the next beat
 *                                            closes it (BlockDetector)
 *   STOP (EXIT slot) + notify ─────────────▶ closes what is open, posts
 *              ◀── postMessage(blocks) ───── the blocks, and exits
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EXIT, EXIT_RUNNING, LAST_BEAT_F64, SEQ, viewsOf } from '../probe/shared.js';
import { monoMs } from '../util/clock.js';
import { BlockDetector } from '../watchdog/detector.js';

export interface WatcherData {
  sab: SharedArrayBuffer;
  thresholdMs: number;
}

export interface WatchedBlock {
  /** Monotonic ms (util/clock) when the block began: the last beat before it. */
  startMono: number;
  durationMs: number;
}

/** While a block is open there is no beat to wait for; look at STOP this often. */
const BLOCKED_POLL_MS = 50;

function watch(): void {
  const { sab, thresholdMs } = workerData as WatcherData;
  const views = viewsOf(sab);
  const detector = new BlockDetector(thresholdMs);
  const blocks: WatchedBlock[] = [];
  parentPort?.postMessage({ t: 'ready' });

  for (;;) {
    const reading = {
      seq: Atomics.load(views.i32, SEQ),
      lastBeatMono: views.f64[LAST_BEAT_F64] ?? 0,
    };
    const transition = detector.update(reading, monoMs());
    if (transition?.kind === 'end') {
      blocks.push({ startMono: transition.startMono, durationMs: round(transition.durationMs) });
    }
    if (Atomics.load(views.i32, EXIT) !== EXIT_RUNNING) break;
    const waitMs = detector.blocked
      ? BLOCKED_POLL_MS
      : Math.max(1, detector.nextCheckMono(reading) - monoMs());
    Atomics.wait(views.i32, SEQ, reading.seq, waitMs);
  }
  parentPort?.postMessage({ t: 'blocks', blocks });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

watch();
