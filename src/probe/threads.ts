import { LAST_BEAT_F64, type SharedViews } from './shared.js';

/**
 * Heartbeats of the application's own worker threads (attribution, issue
 * 4), in a SharedArrayBuffer of their own, apart from the main thread's
 * (whose bytes 64… belong to leases). The main thread creates it and hands
 * it to every Worker through worker_threads.setEnvironmentData, which new
 * Workers inherit; the process's one watchdog reads every slot.
 *
 *   header  Int32 [0] OVERFLOW  workers that found no free slot
 *   slot k  (at HEADER_BYTES + k × SLOT_BYTES; laid out like shared.ts so
 *           the same BlockMonitor reads it)
 *     Int32 [0] SEQ        beat counter
 *     Int32 [1] EXIT       0 running, 1 the thread has exited
 *     Int32 [2] THREAD_ID  worker_threads.threadId
 *     Int32 [3] CLAIM      0 free, 1 taken (a worker takes, the watchdog frees)
 *     Float64 [2] LAST_BEAT monotonic ms of the last beat
 *
 * THREAD_SLOTS workers are watched at once; one more is not watched, and is
 * counted in OVERFLOW so the recording can say so.
 */

export const THREADS_ENV_KEY = 'starve-probe.threads';
export const THREAD_SLOTS = 64;
const HEADER_BYTES = 64;
const SLOT_BYTES = 32;
const OVERFLOW = 0;
export const SLOT_EXIT = 1;
export const SLOT_THREAD_ID = 2;
export const SLOT_CLAIM = 3;

export interface ThreadsData {
  sab: SharedArrayBuffer;
  heartbeatMs: number;
}

export function threadsBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + THREAD_SLOTS * SLOT_BYTES);
}

export function slotViews(sab: SharedArrayBuffer, slot: number): SharedViews {
  const offset = HEADER_BYTES + slot * SLOT_BYTES;
  return { i32: new Int32Array(sab, offset, 4), f64: new Float64Array(sab, offset, 4) };
}

/** Takes a free slot for `threadId`; -1 (and counted) when none is free. */
export function claimSlot(sab: SharedArrayBuffer, threadId: number, nowMono: number): number {
  for (let slot = 0; slot < THREAD_SLOTS; slot++) {
    const views = slotViews(sab, slot);
    if (Atomics.compareExchange(views.i32, SLOT_CLAIM, 0, 2) !== 0) continue;
    // 2 = being set up: the watchdog ignores the slot until it reads 1.
    views.f64[LAST_BEAT_F64] = nowMono;
    Atomics.store(views.i32, 0, 0);
    Atomics.store(views.i32, SLOT_EXIT, 0);
    Atomics.store(views.i32, SLOT_THREAD_ID, threadId);
    Atomics.store(views.i32, SLOT_CLAIM, 1);
    return slot;
  }
  Atomics.add(new Int32Array(sab, 0, 1), OVERFLOW, 1);
  return -1;
}

/** The thread is gone: its monitor stops, and the watchdog frees the slot. */
export function markExited(sab: SharedArrayBuffer, threadId: number): void {
  for (let slot = 0; slot < THREAD_SLOTS; slot++) {
    const views = slotViews(sab, slot);
    const taken = Atomics.load(views.i32, SLOT_CLAIM) === 1;
    if (taken && Atomics.load(views.i32, SLOT_THREAD_ID) === threadId) {
      Atomics.store(views.i32, SLOT_EXIT, 1);
    }
  }
}

export function freeSlot(sab: SharedArrayBuffer, slot: number): void {
  Atomics.store(slotViews(sab, slot).i32, SLOT_CLAIM, 0);
}

export function overflowCount(sab: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(sab, 0, 1), OVERFLOW);
}
