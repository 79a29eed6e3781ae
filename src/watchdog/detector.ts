/**
 * Decides, from heartbeat readings alone, when the main thread is blocked.
 * Pure logic on injected times so it is tested on fake time.
 *
 * A block starts when the last beat is more than `thresholdMs` old and ends
 * at the first new beat. Its start is the last beat before it and its end
 * the first beat after it, so durations are accurate to one heartbeat
 * period and never shorter than the truth by more than that.
 */

export interface BeatReading {
  seq: number;
  lastBeatMono: number;
}

export type BlockTransition =
  | { kind: 'start'; id: number; startMono: number; seq: number }
  | { kind: 'end'; id: number; startMono: number; endMono: number; durationMs: number };

export class BlockDetector {
  private readonly thresholdMs: number;
  private lastSeq = -1;
  private current: { id: number; startMono: number; seq: number } | null = null;
  private readonly newId: () => number;

  /** `newId` is shared by the detectors of every thread, so block ids are unique per recording. */
  constructor(thresholdMs: number, newId?: () => number) {
    this.thresholdMs = thresholdMs;
    let next = 1;
    this.newId = newId ?? (() => next++);
  }

  get blocked(): boolean {
    return this.current !== null;
  }

  get currentBlock(): { id: number; startMono: number; seq: number } | null {
    return this.current;
  }

  update(reading: BeatReading, nowMono: number): BlockTransition | null {
    if (this.current) {
      if (reading.seq === this.current.seq) return null;
      const { id, startMono } = this.current;
      this.current = null;
      this.lastSeq = reading.seq;
      const endMono = reading.lastBeatMono;
      return { kind: 'end', id, startMono, endMono, durationMs: endMono - startMono };
    }
    this.lastSeq = reading.seq;
    if (nowMono - reading.lastBeatMono <= this.thresholdMs) return null;
    this.current = { id: this.newId(), startMono: reading.lastBeatMono, seq: reading.seq };
    return { kind: 'start', id: this.current.id, startMono: reading.lastBeatMono, seq: reading.seq };
  }

  /** When to look again if no beat arrives: just past the threshold. */
  nextCheckMono(reading: BeatReading): number {
    return reading.lastBeatMono + this.thresholdMs + 0.5;
  }

  /** Forget an open block without reporting it (the main thread is exiting). */
  reset(): void {
    this.current = null;
  }

  get seenSeq(): number {
    return this.lastSeq;
  }
}
