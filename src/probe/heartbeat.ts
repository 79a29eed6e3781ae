import { monoMs } from '../util/clock.js';
import { LAST_BEAT_F64, SEQ, type SharedViews } from './shared.js';

/**
 * The main thread's pulse. Every `intervalMs` a timer stamps the time into
 * shared memory; the watchdog calls the main thread blocked when the stamp
 * is more than the threshold old. The timer is a macrotask on purpose: a
 * flood of promise continuations starves it exactly as it starves every
 * other timer and I/O callback.
 *
 * Cost: one unref'd timer and two shared-memory stores per beat.
 */
export function startHeartbeat(views: SharedViews, intervalMs: number): () => void {
  const beat = (): void => {
    views.f64[LAST_BEAT_F64] = monoMs();
    Atomics.add(views.i32, SEQ, 1);
    Atomics.notify(views.i32, SEQ);
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Heartbeat period for a block threshold: a tenth of it, between 5 and
 * 50 ms. Block durations are measured between beats, so they are accurate
 * to one period.
 */
export function heartbeatMsFor(thresholdMs: number): number {
  return Math.min(50, Math.max(5, Math.round(thresholdMs / 10)));
}
