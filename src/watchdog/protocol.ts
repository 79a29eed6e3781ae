/**
 * Messages between the main thread and the watchdog.
 *
 *   main thread                                watchdog worker
 *   ───────────                                ───────────────
 *   heartbeat ──── SharedArrayBuffer ────────▶ reads the beat; blocked?
 *                                              │ yes: inspector pause,
 *                                              │ stack, block-start
 *   sample (1/s) ─ postMessage ──────────────▶ writes `sample`
 *              ◀──────────────────────────── gc-query (a block ended)
 *   gc-answer ──── postMessage ──────────────▶ writes `block`
 *   lease deadline ─ SharedArrayBuffer ──────▶ lease-expired / lease-risk
 *   lease-known, renewal, timer-late ─ postMessage ─▶ written as events
 *   final (exit) ─ postMessage, then waits ──▶ writes `end`, flushes,
 *              ◀── Atomics.notify(EXIT) ───── sets EXIT_FLUSHED
 *
 * The shared memory is the only path that works while the main thread is
 * blocked; messages are for what can wait until it runs again.
 */
import type { DelayStats } from '../record/events.js';
import type { SampleMessage } from '../probe/sampler.js';
import type { ProbeConfig } from '../config/parse.js';
import type { LeaseToWatchdog } from '../leases/messages.js';

export interface WatchdogData {
  starveProbeWatchdog: true;
  sab: SharedArrayBuffer;
  config: ProbeConfig & { heartbeatMs: number };
  argv: string[];
  node: string;
  cwd: string;
  runId: string | undefined;
  /** The main thread's V8 heap limit (attribution of GC blocks). */
  heapLimitBytes: number | null;
  /** Heartbeats of the application's worker threads (probe/threads.ts). */
  threadsSab: SharedArrayBuffer;
}

export interface FinalMessage {
  t: 'final';
  sample: SampleMessage;
  runDelay: DelayStats | null;
  exitCode: number | string;
}

export interface GcAnswer {
  t: 'gc-answer';
  id: number;
  gcMs: number;
}

export type ToWatchdog = SampleMessage | FinalMessage | GcAnswer | LeaseToWatchdog;

export interface GcQuery {
  t: 'gc-query';
  id: number;
  fromMono: number;
  toMono: number;
}

/** The watchdog cannot go on (e.g. no recording can be written). */
export interface FatalMessage {
  t: 'fatal';
  reason: string;
  /** The watchdog already wrote the stderr line itself. */
  reported: boolean;
}

export type FromWatchdog = GcQuery | FatalMessage;
