/**
 * One monotonic clock for both threads. `process.hrtime` is process-wide,
 * so a time taken on the main thread and one taken in the watchdog can be
 * subtracted; `performance.now()` cannot, its origin is per thread.
 * Precision: nanoseconds, returned as fractional milliseconds.
 */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Converts monotonic milliseconds to epoch milliseconds for events. */
export interface Clock {
  monoMs(): number;
  epochMs(mono: number): number;
}

export function systemClock(): Clock {
  const offsetMs = Date.now() - monoMs();
  return {
    monoMs,
    epochMs: (mono) => Math.round(mono + offsetMs),
  };
}
