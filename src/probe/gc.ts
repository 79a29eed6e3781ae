import { PerformanceObserver, performance } from 'node:perf_hooks';
import { monoMs } from '../util/clock.js';

/**
 * Garbage-collection pauses of this thread, from `gc` performance entries.
 * Keeps the recent pauses with their times (monotonic ms) so a block can be
 * asked how much of it was GC, and a running sum for samples.
 *
 * Entries reach the observer asynchronously, after the pause: a question
 * about a block is answered only once the loop has turned (see answerGc in
 * start.ts).
 */
const RING_SIZE = 512;

export interface GcTracker {
  /** GC milliseconds since the last call. */
  takeIntervalMs(): number;
  /** GC milliseconds overlapping [fromMono, toMono]. */
  pauseMsBetween(fromMono: number, toMono: number): number;
  totalMs(): number;
  stop(): void;
}

export function trackGc(): GcTracker {
  const perfToMono = monoMs() - performance.now();
  const starts = new Float64Array(RING_SIZE);
  const durations = new Float64Array(RING_SIZE);
  let next = 0;
  let filled = 0;
  let intervalMs = 0;
  let totalMs = 0;

  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      starts[next] = entry.startTime + perfToMono;
      durations[next] = entry.duration;
      next = (next + 1) % RING_SIZE;
      filled = Math.min(RING_SIZE, filled + 1);
      intervalMs += entry.duration;
      totalMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  return {
    takeIntervalMs() {
      const ms = intervalMs;
      intervalMs = 0;
      return ms;
    },
    pauseMsBetween(fromMono, toMono) {
      let sum = 0;
      for (let i = 0; i < filled; i++) {
        const start = starts[i] ?? 0;
        const end = start + (durations[i] ?? 0);
        const overlap = Math.min(end, toMono) - Math.max(start, fromMono);
        if (overlap > 0) sum += overlap;
      }
      return sum;
    },
    totalMs: () => totalMs,
    stop: () => observer.disconnect(),
  };
}
