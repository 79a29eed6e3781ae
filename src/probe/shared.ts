/**
 * Layout of the SharedArrayBuffer the main thread and the watchdog share.
 * The main thread only ever stores; the watchdog only loads (except for the
 * exit handshake). Nothing here needs the main thread to run for the
 * watchdog to read it: that is the point.
 *
 *   Int32 [0] SEQ         heartbeat counter, +1 per beat
 *   Int32 [1] EXIT        0 running, 1 main is exiting, 2 watchdog flushed
 *   Float64 [2] LAST_BEAT monotonic ms of the last beat (util/clock)
 *   bytes 64…            lease slots (see leases/slots.ts)
 */

export const SEQ = 0;
export const EXIT = 1;
export const LAST_BEAT_F64 = 2;

export const EXIT_RUNNING = 0;
export const EXIT_REQUESTED = 1;
export const EXIT_FLUSHED = 2;

export const LEASE_REGION_BYTES_OFFSET = 64;
export const SHARED_BYTES = 64 + 64 * 1024;

export interface SharedViews {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
}

export function viewsOf(sab: SharedArrayBuffer): SharedViews {
  return {
    i32: new Int32Array(sab, 0, 4),
    f64: new Float64Array(sab, 0, LEASE_REGION_BYTES_OFFSET / 8),
  };
}
