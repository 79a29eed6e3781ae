import { describe, expect, it } from 'vitest';
import { LeaseSlots, SLOT_ENDED, SLOT_HELD } from '../../src/leases/slots.js';
import { LeaseTracker } from '../../src/leases/tracker.js';
import { LeaseWatch, type CurrentBlock } from '../../src/leases/watch.js';
import type { LeaseMessageItem, LeaseKnownMessage } from '../../src/leases/messages.js';
import { LeaseSummaryBuilder, budgetOf } from '../../src/leases/summary.js';
import { SHARED_BYTES } from '../../src/probe/shared.js';

/** A fake monotonic clock and a fake scheduler that runs what is due. */
function fakeTime(startMs = 1000) {
  let now = startMs;
  let timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  return {
    now: () => now,
    schedule(fn: () => void, delayMs: number) {
      const timer = { at: now + delayMs, fn, cancelled: false };
      timers.push(timer);
      return { cancel: () => (timer.cancelled = true) };
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = until;
    },
  };
}

function setup(startMs = 1000) {
  const time = fakeTime(startMs);
  const slots = new LeaseSlots(new SharedArrayBuffer(SHARED_BYTES));
  const posted: LeaseMessageItem[] = [];
  const tracker = new LeaseTracker({ slots, nowMono: time.now, post: (m) => posted.push(m) });
  const renewals = () => posted.filter((m) => m.t === 'lease-event').map((m) => (m as { event: Record<string, unknown> }).event);
  return { time, slots, tracker, posted, renewals };
}

describe('renewal measures on fake time', () => {
  it('an acquired lease gets its first deadline at acquisition + ttl', () => {
    const { slots, tracker } = setup();
    const lease = tracker.declare('l', 3000, 1000, 'api', 1000, true)!;
    expect(slots.read(lease.slot)).toEqual({ deadlineMono: 4000, lastOkMono: 1000, ttlMs: 3000, state: SLOT_HELD, generation: 1 });
  });

  it('wait counts from `every` after the previous settle, margin from the previous success', () => {
    const { slots, tracker, renewals } = setup();
    const lease = tracker.declare('l', 3000, 1000, 'api', 1000, true)!;
    tracker.renewal('l', { startMono: 2000, settleMono: 2050, ok: true });
    tracker.renewal('l', { startMono: 3650, settleMono: 3700, ok: true });
    expect(renewals()).toEqual([
      expect.objectContaining({ waitMs: 0, ioMs: 50, marginMs: 1950, ok: true }),
      expect.objectContaining({ waitMs: 600, ioMs: 50, marginMs: 1350, ok: true }),
    ]);
    expect(slots.read(lease.slot)?.deadlineMono).toBe(6700);
  });

  it('slow I/O of the previous renewal is not counted as loop wait', () => {
    const { tracker, renewals } = setup();
    tracker.declare('l', 3000, 1000, 'api', 0, true);
    tracker.renewal('l', { startMono: 1000, settleMono: 2500, ok: true });
    tracker.renewal('l', { startMono: 3500, settleMono: 3600, ok: true });
    expect(renewals()[1]).toMatchObject({ waitMs: 0, marginMs: 1900 });
  });

  it('a failed renewal keeps the deadline, carries its error, and a late one has a negative margin', () => {
    const { slots, tracker, renewals } = setup();
    const lease = tracker.declare('l', 3000, 1000, 'http', 0, true)!;
    tracker.renewal('l', { startMono: 3400, settleMono: 3500, ok: false, error: 'HTTP 410' });
    expect(renewals()[0]).toMatchObject({ ok: false, error: 'HTTP 410', marginMs: -500, waitMs: 2400 });
    expect(slots.read(lease.slot)?.deadlineMono).toBe(3000);
  });

  it('a timer-driven renewal measures wait against the timer due time', () => {
    const { tracker, renewals } = setup();
    tracker.declare('t', 4000, 1000, 'timer', 0, true);
    tracker.renewal('t', { startMono: 6500, settleMono: 6501, ok: true, dueMono: 1000 });
    expect(renewals()[0]).toMatchObject({ waitMs: 5500, marginMs: -2501 });
  });

  it('an HTTP lease first seen at its first renewal has no wait and a margin from that renewal start', () => {
    const { slots, tracker, renewals } = setup();
    const lease = tracker.declare('h', 3000, 1000, 'http', 500, false)!;
    expect(slots.read(lease.slot)?.state).toBe(0);
    tracker.renewal('h', { startMono: 500, settleMono: 520, ok: true });
    expect(renewals()[0]).toMatchObject({ waitMs: 0, ioMs: 20, marginMs: 2980 });
    expect(slots.read(lease.slot)?.deadlineMono).toBe(3520);
  });

  it('an ended lease frees its slot for the next name, under a new generation', () => {
    const { slots, tracker, posted } = setup();
    const first = tracker.declare('job:1', 3000, null, 'api', 0, true)!;
    tracker.end('job:1');
    const second = tracker.declare('job:2', 3000, null, 'api', 10, true)!;
    expect(second.slot).toBe(first.slot);
    expect(slots.read(second.slot)).toMatchObject({ state: SLOT_HELD, generation: 2, deadlineMono: 3010 });
    expect(posted.filter((m) => m.t === 'lease-known').map((m) => (m as LeaseKnownMessage).generation)).toEqual([1, 2]);
    expect(tracker.get('job:1')).toBeUndefined();
  });

  it('end marks the slot ended so the watchdog stops watching it', () => {
    const { slots, tracker } = setup();
    const lease = tracker.declare('l', 3000, null, 'api', 0, true)!;
    tracker.end('l');
    expect(slots.read(lease.slot)?.state).toBe(SLOT_ENDED);
  });
});

describe('the watchdog lease watch on fake time', () => {
  function watchSetup(block: () => CurrentBlock | null, lastBeat: () => number = () => 0) {
    const base = setup(0);
    const emitted: Array<Record<string, unknown>> = [];
    const watch = new LeaseWatch({
      read: (slot) => base.slots.read(slot),
      clock: { monoMs: base.time.now, epochMs: (mono) => 1_000_000 + mono },
      riskFraction: 0.25,
      currentBlock: block,
      emit: (event) => emitted.push(event),
      schedule: (fn, ms) => base.time.schedule(fn, ms),
      stackWaitMs: 50,
      lastBeatMono: lastBeat,
      heartbeatMs: 10,
      thresholdMs: 100,
    });
    const known = () => {
      for (const m of base.posted) if (m.t === 'lease-known') watch.known(m as LeaseKnownMessage);
      base.posted.length = 0;
    };
    return { ...base, watch, emitted, known };
  }

  it('writes lease-expired at the deadline with the deadline as its time, once', () => {
    const s = watchSetup(() => null, () => Infinity);
    s.tracker.declare('l', 3000, 1000, 'api', 0, true);
    s.known();
    s.time.advance(2999);
    expect(s.emitted).toEqual([]);
    s.time.advance(10);
    expect(s.emitted).toEqual([expect.objectContaining({ type: 'lease-expired', time: 1_003_000, lease: 'l', sinceRenewalMs: 3000, duringBlock: false })]);
    s.time.advance(10_000);
    expect(s.emitted).toHaveLength(1);
  });

  it('a reused slot is not reported under the old name before the new one is known', () => {
    const s = watchSetup(() => null, () => Infinity);
    s.tracker.declare('job:1', 3000, null, 'api', 0, true);
    s.known();
    s.tracker.end('job:1');
    s.tracker.declare('job:2', 1000, null, 'api', 100, true);
    s.time.advance(5000);
    expect(s.emitted).toEqual([]);
    s.known();
    expect(s.emitted).toEqual([expect.objectContaining({ type: 'lease-expired', lease: 'job:2', time: 1_001_100 })]);
  });

  it('a renewal before the deadline moves it and nothing expires', () => {
    const s = watchSetup(() => null, () => Infinity);
    s.tracker.declare('l', 3000, 1000, 'api', 0, true);
    s.known();
    s.time.advance(2000);
    s.tracker.renewal('l', { startMono: 2000, settleMono: 2000, ok: true });
    s.watch.check();
    s.time.advance(2900);
    expect(s.emitted).toEqual([]);
    s.time.advance(200);
    expect(s.emitted.map((e) => e.time)).toEqual([1_005_000]);
  });

  it('during a block: lease-risk below the fraction, then lease-expired naming the block', () => {
    const block: CurrentBlock = { id: 7, startMono: 500, stack: [{ functionName: 'scoreReport', url: 'file:///a.js', line: 1, column: 1 }], site: 'scoreReport (file:///a.js:1:1)', captureSettled: true };
    let blocked = false;
    const s = watchSetup(() => (blocked ? block : null));
    s.tracker.declare('l', 4000, 1000, 'api', 0, true);
    s.known();
    s.time.advance(600);
    blocked = true;
    s.watch.blockChanged();
    s.time.advance(2399);
    expect(s.emitted).toEqual([]);
    s.time.advance(2);
    expect(s.emitted[0]).toMatchObject({ type: 'lease-risk', marginMs: 1000, blockedMs: 2500, site: block.site });
    s.time.advance(1000);
    expect(s.emitted[1]).toMatchObject({ type: 'lease-expired', duringBlock: true, blockId: 7, site: block.site, stack: block.stack });
  });

  it('an expiry inside a block whose stack is on its way waits for it, briefly', () => {
    const block: CurrentBlock = { id: 1, startMono: 2990, stack: null, site: null, captureSettled: false };
    const s = watchSetup(() => block);
    s.tracker.declare('l', 3000, null, 'api', 0, true);
    s.known();
    s.time.advance(3010);
    expect(s.emitted.filter((e) => e.type === 'lease-expired')).toEqual([]);
    Object.assign(block, { captureSettled: true, site: 'f (file:///x.js:1:1)', stack: [] });
    s.watch.blockChanged();
    expect(s.emitted.find((e) => e.type === 'lease-expired')).toMatchObject({ site: 'f (file:///x.js:1:1)', time: 1_003_000 });
  });

  it('a late heartbeat makes the expiry wait for the block detector, so it can name the block', () => {
    let block: CurrentBlock | null = null;
    const s = watchSetup(() => block, () => 2950);
    s.tracker.declare('l', 3000, null, 'api', 0, true);
    s.known();
    s.time.advance(3001);
    expect(s.emitted).toEqual([]);
    block = { id: 2, startMono: 2950, stack: null, site: 'g (file:///y.js:2:2)', captureSettled: true };
    s.time.advance(60);
    expect(s.emitted.find((e) => e.type === 'lease-expired')).toMatchObject({ duringBlock: true, blockId: 2, time: 1_003_000 });
  });
});

describe('the per-lease summary and starvation budget', () => {
  it('budget is TTL − every − p99 of renewal I/O, null with a reason without data', () => {
    expect(budgetOf(3000, 1000, 50, 5)).toEqual({ ms: 1950 });
    expect(budgetOf(3000, null, 50, 5).ms).toBeNull();
    expect(budgetOf(3000, null, 50, 5).reason).toMatch(/interval is unknown/);
    expect(budgetOf(3000, 1000, 50, 2).reason).toMatch(/not enough data: 2 renewal/);
  });

  it('folds lease, renewal, expiry and block events into one summary per lease', () => {
    const b = new LeaseSummaryBuilder();
    const base = { pid: 1 };
    b.add({ ...base, type: 'lease', time: 0, lease: 'l', ttlMs: 3000, source: 'http' } as never);
    for (const [time, io] of [[1010, 10], [2020, 20], [3030, 30], [4040, 40]]) {
      b.add({ ...base, type: 'renewal', time, lease: 'l', ttlMs: 3000, ok: true, waitMs: 5, ioMs: io, marginMs: 2000 } as never);
    }
    b.add({ ...base, type: 'renewal', time: 9000, lease: 'l', ttlMs: 3000, ok: false, waitMs: 3000, ioMs: 5, marginMs: -1000, error: 'HTTP 410' } as never);
    b.add({ ...base, type: 'lease-expired', time: 7040, lease: 'l', ttlMs: 3000, sinceRenewalMs: 3000, duringBlock: true } as never);
    b.add({ ...base, type: 'block', time: 4500, durationMs: 4400, id: 1 } as never);
    const [l] = b.build();
    expect(l).toMatchObject({
      lease: 'l', renewals: 5, failures: 1, expiries: 1, worstWaitMs: 3000, worstMarginMs: -1000,
      ioP99Ms: 40, everyMs: 1000, budgetMs: 1960, longestBlockMs: 4400, source: 'http',
    });
  });
});
