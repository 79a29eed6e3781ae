import { monoMs } from '../util/clock.js';
import { debug } from '../util/debug.js';
import { traceApiLeases } from './api-channels.js';
import { readLeasesConfig } from './config.js';
import { traceHttpLeases } from './http.js';
import type { LeaseMessageItem, LeaseToWatchdog } from './messages.js';
import { LeaseSlots } from './slots.js';
import { traceTimers } from './timers.js';
import { LeaseTracker } from './tracker.js';

/**
 * Wires the lease sources on the main thread: API channels always, HTTP
 * channels when STARVE_PROBE_LEASES declares HTTP leases, and the timer
 * wrapping. Returns the configuration problems (one sentence each) and a
 * function that undoes everything.
 */
export interface LeasesMainOptions {
  sab: SharedArrayBuffer;
  leasesRaw: string | null;
  thresholdMs: number;
  probeUrlPrefix: string;
  post: (message: LeaseToWatchdog) => void;
}

export interface LeasesMain {
  problems: string[];
  /** Hands what is queued to the watchdog now (before the exit handshake). */
  flush: () => void;
  stop: () => void;
}

export function startLeases(o: LeasesMainOptions): LeasesMain {
  const { leases, problems } = readLeasesConfig(o.leasesRaw);
  const queue: LeaseMessageItem[] = [];
  let flushing: NodeJS.Immediate | null = null;
  const flush = (): void => {
    flushing = null;
    if (queue.length > 0) o.post({ t: 'lease-batch', items: queue.splice(0) });
  };
  const post = (item: LeaseMessageItem): void => {
    queue.push(item);
    flushing ??= setImmediate(flush).unref();
  };
  const tracker = new LeaseTracker({ slots: new LeaseSlots(o.sab), nowMono: monoMs, post });
  const stops = [
    traceApiLeases(tracker, monoMs, debug),
    traceHttpLeases(leases, tracker, monoMs),
    traceTimers({
      thresholdMs: o.thresholdMs,
      leases,
      tracker,
      nowMono: monoMs,
      probeUrlPrefix: o.probeUrlPrefix,
      onLate: (event, atMono) => post({ t: 'lease-event', atMono, event }),
    }),
  ];
  debug('leases: %d declared, %d problem(s)', leases.length, problems.length);
  return {
    problems,
    flush,
    stop: () => {
      if (flushing) clearImmediate(flushing);
      flush();
      for (const stop of stops) stop();
    },
  };
}
