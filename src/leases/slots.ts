import { LEASE_REGION_BYTES_OFFSET, SHARED_BYTES } from '../probe/shared.js';

/**
 * Lease slots in the shared memory, after the heartbeat (bytes 64…). The
 * main thread writes a lease's deadline here each time a renewal succeeds;
 * the watchdog reads it without the main thread having to run, which is
 * what lets it say "expired" while the main thread is still blocked.
 *
 * One slot is 40 bytes:
 *
 *   Float64 [0] deadlineMono   monotonic ms (util/clock monoMs), 0 = none
 *   Float64 [1] lastOkMono     monotonic ms of the last successful renewal
 *                              (or of the acquisition); 0 = unknown
 *   Float64 [2] ttlMs
 *   Int32   [6] state          0 free, 1 held, 2 ended
 *   Int32   [7] version        odd while the main thread writes the slot
 *   Int32   [8] generation     which lease holds the slot: slots of ended
 *                              leases are reused, and a reader compares
 *                              this with the generation it was told of
 *
 * The version is a sequence lock: the writer makes it odd, writes, makes it
 * even; a reader that sees it odd or changed reads again. Which name a slot
 * holds is sent to the watchdog by message when the lease becomes known.
 */

export const SLOT_BYTES = 40;
export const MAX_LEASE_SLOTS = Math.floor((SHARED_BYTES - LEASE_REGION_BYTES_OFFSET) / SLOT_BYTES);

export const SLOT_FREE = 0;
export const SLOT_HELD = 1;
export const SLOT_ENDED = 2;

const F64_PER_SLOT = SLOT_BYTES / 8;
const I32_PER_SLOT = SLOT_BYTES / 4;
const STATE_I32 = 6;
const VERSION_I32 = 7;
const GENERATION_I32 = 8;
const READ_TRIES = 4;

export interface SlotReading {
  deadlineMono: number;
  lastOkMono: number;
  ttlMs: number;
  state: number;
  generation: number;
}

export class LeaseSlots {
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;

  constructor(sab: SharedArrayBuffer) {
    // 40 bytes hold whole Float64s (5) and Int32s (10) per slot.
    const bytes = MAX_LEASE_SLOTS * SLOT_BYTES;
    this.f64 = new Float64Array(sab, LEASE_REGION_BYTES_OFFSET, bytes / 8);
    this.i32 = new Int32Array(sab, LEASE_REGION_BYTES_OFFSET, bytes / 4);
  }

  /** Main thread only. */
  write(slot: number, fields: SlotReading): void {
    const version = slot * I32_PER_SLOT + VERSION_I32;
    const base = slot * F64_PER_SLOT;
    Atomics.add(this.i32, version, 1);
    this.f64[base] = fields.deadlineMono;
    this.f64[base + 1] = fields.lastOkMono;
    this.f64[base + 2] = fields.ttlMs;
    Atomics.store(this.i32, slot * I32_PER_SLOT + STATE_I32, fields.state);
    Atomics.store(this.i32, slot * I32_PER_SLOT + GENERATION_I32, fields.generation);
    Atomics.add(this.i32, version, 1);
  }

  /** Watchdog: a consistent copy of the slot, or null if it kept changing. */
  read(slot: number): SlotReading | null {
    const version = slot * I32_PER_SLOT + VERSION_I32;
    const base = slot * F64_PER_SLOT;
    for (let i = 0; i < READ_TRIES; i++) {
      const before = Atomics.load(this.i32, version);
      if (before % 2 === 1) continue;
      const reading = {
        deadlineMono: this.f64[base] ?? 0,
        lastOkMono: this.f64[base + 1] ?? 0,
        ttlMs: this.f64[base + 2] ?? 0,
        state: Atomics.load(this.i32, slot * I32_PER_SLOT + STATE_I32),
        generation: Atomics.load(this.i32, slot * I32_PER_SLOT + GENERATION_I32),
      };
      if (Atomics.load(this.i32, version) === before) return reading;
    }
    return null;
  }
}
