import { describe, expect, it } from 'vitest';
import { BlockDetector } from '../../src/watchdog/detector.js';

// Fake time throughout: readings are made up, nothing sleeps.
describe('block detection from heartbeats', () => {
  it('sees nothing while beats keep coming within the threshold', () => {
    const d = new BlockDetector(100);
    for (let t = 0; t < 1000; t += 10) expect(d.update({ seq: t / 10, lastBeatMono: t }, t + 9)).toBeNull();
    expect(d.blocked).toBe(false);
  });

  it('starts a block once the last beat is older than the threshold, dated at that beat', () => {
    const d = new BlockDetector(100);
    expect(d.update({ seq: 5, lastBeatMono: 1000 }, 1100)).toBeNull();
    expect(d.update({ seq: 5, lastBeatMono: 1000 }, 1100.5)).toEqual({ kind: 'start', id: 1, startMono: 1000, seq: 5 });
    expect(d.blocked).toBe(true);
    expect(d.update({ seq: 5, lastBeatMono: 1000 }, 5000)).toBeNull();
  });

  it('ends the block at the first new beat and measures between the two beats', () => {
    const d = new BlockDetector(100);
    d.update({ seq: 5, lastBeatMono: 1000 }, 1200);
    expect(d.update({ seq: 6, lastBeatMono: 1612 }, 1612.1)).toEqual({
      kind: 'end', id: 1, startMono: 1000, endMono: 1612, durationMs: 612,
    });
    expect(d.blocked).toBe(false);
  });

  it('numbers blocks in order', () => {
    const d = new BlockDetector(100);
    d.update({ seq: 1, lastBeatMono: 0 }, 200);
    d.update({ seq: 2, lastBeatMono: 300 }, 300);
    const second = d.update({ seq: 2, lastBeatMono: 300 }, 500);
    expect(second).toMatchObject({ kind: 'start', id: 2 });
  });

  it('plans its next look just past the threshold', () => {
    const d = new BlockDetector(100);
    expect(d.nextCheckMono({ seq: 1, lastBeatMono: 1000 })).toBeCloseTo(1100.5);
  });
});
