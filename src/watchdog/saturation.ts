import { SaturationDetector } from '../attribution/saturation.js';
import { recommendSaturation } from '../attribution/recommend.js';
import type { Clock } from '../util/clock.js';
import type { Emit } from './blocks.js';
import type { FindingsPrinter } from './findings.js';

/**
 * Turns the main thread's samples into `saturation` events (rules in
 * src/attribution/saturation.ts). The sites field stays empty: nothing
 * crosses the threshold during saturation, so no stack is taken, and the
 * probe does not sample stacks while the thread is merely busy.
 */
export class SaturationMonitor {
  private readonly detector: SaturationDetector;

  constructor(private readonly o: {
    elu: number;
    forMs: number;
    thresholdMs: number;
    clock: Clock;
    emit: Emit;
    findings: FindingsPrinter;
  }) {
    this.detector = new SaturationDetector({ elu: o.elu, forMs: o.forMs });
  }

  sample(atMono: number, intervalMs: number, elu: number): void {
    const period = this.detector.add({ atMono, intervalMs, elu });
    if (period) this.write(period);
  }

  blockSeen(startMono: number, endMono: number): void {
    this.detector.blockSeen(startMono, endMono);
  }

  close(): void {
    const period = this.detector.close();
    if (period) this.write(period);
  }

  private write(period: { startMono: number; periodMs: number; elu: number }): void {
    const sites: string[] = [];
    const recommendation = recommendSaturation({
      periodMs: period.periodMs, elu: period.elu, thresholdMs: this.o.thresholdMs, sites,
    });
    this.o.emit({
      type: 'saturation',
      time: this.o.clock.epochMs(period.startMono),
      periodMs: Math.round(period.periodMs),
      elu: period.elu,
      sites,
      kind: 'saturation',
      recommendation,
    }, true);
    this.o.findings.saturated(recommendation, this.o.clock.monoMs());
  }
}
