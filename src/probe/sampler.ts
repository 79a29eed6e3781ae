import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { DelayStats, SampleEvent } from '../record/events.js';
import { monoMs } from '../util/clock.js';
import type { GcTracker } from './gc.js';

/**
 * Event-loop delay (perf_hooks.monitorEventLoopDelay), utilization, memory
 * and GC, read once per interval and reset. The histogram reports
 * nanoseconds; they are converted to milliseconds here, once.
 */

/** A sample as the main thread hands it over; the watchdog stamps the rest. */
export type SampleMessage = Omit<SampleEvent, 'type' | 'time' | 'pid' | 'threadId'> & {
  t: 'sample';
  atMono: number;
};

type Histogram = {
  count: number;
  min: number;
  max: number;
  mean: number;
  percentile(p: number): number;
};

const NS_PER_MS = 1e6;

export function delayStatsOf(h: Histogram): DelayStats | null {
  if (h.count === 0) return null;
  const ms = (ns: number): number => Math.round((ns / NS_PER_MS) * 1000) / 1000;
  return {
    minMs: ms(h.min),
    meanMs: ms(h.mean),
    p50Ms: ms(h.percentile(50)),
    p90Ms: ms(h.percentile(90)),
    p99Ms: ms(h.percentile(99)),
    maxMs: ms(h.max),
  };
}

export interface Sampler {
  /** Reads the interval's figures and resets them. */
  take(): SampleMessage;
  /** Whole-run delay percentiles. */
  runDelay(): DelayStats | null;
  stop(): void;
}

export function startSampler(resolutionMs: number, gc: GcTracker): Sampler {
  // Two monitors: one reset every interval, one for the whole run, because
  // Node cannot merge an interval histogram into another. Both are native
  // timers that run no JavaScript.
  const interval = monitorEventLoopDelay({ resolution: resolutionMs });
  const run = monitorEventLoopDelay({ resolution: resolutionMs });
  interval.enable();
  run.enable();
  let lastElu = performance.eventLoopUtilization();
  let lastMono = monoMs();

  return {
    take() {
      const now = monoMs();
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      const memory = process.memoryUsage();
      const sample: SampleMessage = {
        t: 'sample',
        atMono: now,
        intervalMs: Math.round(now - lastMono),
        delay: delayStatsOf(interval),
        elu: Math.round(elu.utilization * 10_000) / 10_000,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        rssBytes: memory.rss,
        gcMs: Math.round(gc.takeIntervalMs() * 1000) / 1000,
      };
      interval.reset();
      lastMono = now;
      return sample;
    },
    runDelay: () => delayStatsOf(run),
    stop: () => {
      interval.disable();
      run.disable();
    },
  };
}
