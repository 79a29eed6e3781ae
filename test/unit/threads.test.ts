import { describe, expect, it } from 'vitest';
import {
  claimSlot, freeSlot, markExited, overflowCount, slotViews, SLOT_CLAIM, SLOT_EXIT, SLOT_THREAD_ID,
  THREAD_SLOTS, threadsBuffer,
} from '../../src/probe/threads.js';
import { LAST_BEAT_F64 } from '../../src/probe/shared.js';

describe('worker-thread heartbeat slots', () => {
  it('a worker takes a free slot, stamped with its thread id and a first beat', () => {
    const sab = threadsBuffer();
    const slot = claimSlot(sab, 7, 1234.5);
    const views = slotViews(sab, slot);
    expect(slot).toBe(0);
    expect(Atomics.load(views.i32, SLOT_CLAIM)).toBe(1);
    expect(Atomics.load(views.i32, SLOT_THREAD_ID)).toBe(7);
    expect(Atomics.load(views.i32, SLOT_EXIT)).toBe(0);
    expect(views.f64[LAST_BEAT_F64]).toBe(1234.5);
    expect(claimSlot(sab, 8, 0)).toBe(1);
  });

  it('beyond the slots, a worker is not watched and is counted', () => {
    const sab = threadsBuffer();
    for (let i = 0; i < THREAD_SLOTS; i++) expect(claimSlot(sab, i + 1, 0)).toBe(i);
    expect(claimSlot(sab, 999, 0)).toBe(-1);
    expect(claimSlot(sab, 1000, 0)).toBe(-1);
    expect(overflowCount(sab)).toBe(2);
  });

  it('an exited thread is marked by id; a freed slot is taken again, reset', () => {
    const sab = threadsBuffer();
    claimSlot(sab, 3, 0);
    claimSlot(sab, 4, 0);
    markExited(sab, 4);
    expect(Atomics.load(slotViews(sab, 0).i32, SLOT_EXIT)).toBe(0);
    expect(Atomics.load(slotViews(sab, 1).i32, SLOT_EXIT)).toBe(1);
    freeSlot(sab, 1);
    expect(claimSlot(sab, 5, 0)).toBe(1);
    expect(Atomics.load(slotViews(sab, 1).i32, SLOT_EXIT)).toBe(0);
    expect(Atomics.load(slotViews(sab, 1).i32, SLOT_THREAD_ID)).toBe(5);
  });
});
