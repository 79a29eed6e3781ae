/**
 * Saturation: the main thread busy nearly all the time for a sustained
 * period, while no single block crossed the threshold (many short tasks,
 * none long). It starves timers and leases as surely as one long block.
 *
 * Decided from the `sample` messages the watchdog already receives, on
 * injected (monotonic) times so it is tested on fake time:
 *
 * - a run is a sequence of consecutive samples whose utilization is at
 *   least `elu` and whose interval overlaps no block;
 * - a run of at least `forMs` is one saturation period, reported when the
 *   run ends (a quieter sample, a block) or when the process exits.
 */

export interface SaturationOptions {
  /** Utilization (0..1) at or above which a sample counts as saturated. */
  readonly elu: number;
  /** How long a run must last to be reported. */
  readonly forMs: number;
}

export interface SaturationSample {
  /** Monotonic ms at the end of the sample's interval. */
  readonly atMono: number;
  readonly intervalMs: number;
  readonly elu: number;
}

export interface SaturationPeriod {
  readonly startMono: number;
  readonly periodMs: number;
  /** Utilization over the period, weighted by interval length. */
  readonly elu: number;
}

export class SaturationDetector {
  private runStart: number | null = null;
  private runEnd = 0;
  private busyMs = 0;
  private readonly blocks: Array<{ startMono: number; endMono: number }> = [];

  constructor(private readonly o: SaturationOptions) {}

  /** A block over the threshold: intervals it overlaps break a run. */
  blockSeen(startMono: number, endMono: number): void {
    this.blocks.push({ startMono, endMono });
    if (this.blocks.length > 16) this.blocks.shift();
  }

  /** Feeds one sample; returns the period that just ended, if one did. */
  add(sample: SaturationSample): SaturationPeriod | null {
    const fromMono = sample.atMono - sample.intervalMs;
    const blocked = this.blocks.some((b) => b.startMono < sample.atMono && b.endMono > fromMono);
    if (sample.elu < this.o.elu || blocked || sample.intervalMs <= 0) return this.endRun();
    if (this.runStart === null) {
      this.runStart = fromMono;
      this.busyMs = 0;
    }
    this.runEnd = sample.atMono;
    this.busyMs += sample.elu * sample.intervalMs;
    return null;
  }

  /** The process is exiting: the run under way, if long enough. */
  close(): SaturationPeriod | null {
    return this.endRun();
  }

  private endRun(): SaturationPeriod | null {
    if (this.runStart === null) return null;
    const periodMs = this.runEnd - this.runStart;
    const elu = Math.round((this.busyMs / periodMs) * 1000) / 1000;
    const period = { startMono: this.runStart, periodMs, elu };
    this.runStart = null;
    return periodMs >= this.o.forMs ? period : null;
  }
}
