import { isCountedBlock } from './blocks.js';
import type {
  AnyEvent,
  BlockEvent,
  BlockKind,
  DelayStats,
  Frame,
  RunSummary,
  SampleEvent,
  SaturationEvent,
  SiteSummary,
} from './events.js';
import { LeaseSummaryBuilder } from '../leases/summary.js';

/**
 * Folds events into the run summary. The watchdog uses it for the `end`
 * event and `starve-probe report` for recordings, including those cut short
 * by a kill (no `end`), so both always agree.
 */

export const UNKNOWN_SITE = '(no stack: site unknown)';

interface SiteAccumulator {
  site: string;
  durations: number[];
  totalMs: number;
  maxMs: number;
  lastSeen: number;
  worstStack: Frame[] | null;
  kinds: Partial<Record<BlockKind, number>>;
  recommendation: string | null;
  package: string | undefined;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export class SummaryBuilder {
  private firstTime: number | null = null;
  private lastTime: number | null = null;
  private blocks = 0;
  private maxBlockMs = 0;
  private totalBlockedMs = 0;
  private readonly sites = new Map<string, SiteAccumulator>();
  private readonly samples: SampleEvent[] = [];
  private gcMs = 0;
  private maxHeap: number | null = null;
  private maxRss: number | null = null;
  private readonly leases = new LeaseSummaryBuilder();
  private saturationPeriods = 0;
  private saturationMs = 0;

  add(event: AnyEvent): void {
    const end = event.type === 'block' ? event.time + ((event as BlockEvent).durationMs ?? 0) : event.time;
    if (this.firstTime === null || event.time < this.firstTime) this.firstTime = event.time;
    if (this.lastTime === null || end > this.lastTime) this.lastTime = end;
    if (isCountedBlock(event)) this.addBlock(event);
    else if (event.type === 'sample') this.addSample(event as SampleEvent);
    else if (event.type === 'saturation') this.addSaturation(event as SaturationEvent);
    this.leases.add(event);
  }

  private addBlock(block: BlockEvent): void {
    this.blocks++;
    this.totalBlockedMs += block.durationMs;
    this.maxBlockMs = Math.max(this.maxBlockMs, block.durationMs);
    const site = block.site ?? (block.threadId === undefined
      ? UNKNOWN_SITE
      : `(worker thread ${block.threadId}: no stack, site unknown)`);
    // Grouped by function, file and line: where on the line a pause lands
    // varies from block to block (attribution, issue 4).
    const key = site.replace(/(:\d+):\d+\)$/, '$1)');
    let acc = this.sites.get(key);
    if (!acc) {
      acc = {
        site, durations: [], totalMs: 0, maxMs: -1, lastSeen: 0, worstStack: null,
        kinds: {}, recommendation: null, package: undefined,
      };
      this.sites.set(key, acc);
    }
    acc.durations.push(block.durationMs);
    acc.totalMs += block.durationMs;
    acc.lastSeen = Math.max(acc.lastSeen, block.time);
    if (block.durationMs > acc.maxMs) {
      acc.maxMs = block.durationMs;
      acc.site = site;
      acc.worstStack = block.stack;
      acc.recommendation = block.recommendation ?? null;
    }
    // Attribution (issue 4): kinds per site, the package of library sites.
    const kind: BlockKind = block.kind ?? 'unknown';
    acc.kinds[kind] = (acc.kinds[kind] ?? 0) + 1;
    if (block.package) acc.package = block.package;
  }

  private addSaturation(event: SaturationEvent): void {
    this.saturationPeriods++;
    this.saturationMs += event.periodMs;
  }

  private addSample(sample: SampleEvent): void {
    this.samples.push(sample);
    this.gcMs += sample.gcMs ?? 0;
    this.maxHeap = Math.max(this.maxHeap ?? 0, sample.heapUsedBytes);
    this.maxRss = Math.max(this.maxRss ?? 0, sample.rssBytes);
  }

  /** `runDelay` is the run's own histogram when the process ended cleanly. */
  build(runDelay?: DelayStats | null): RunSummary {
    const delay = runDelay ?? this.delayFromSamples();
    return {
      durationMs: this.firstTime === null || this.lastTime === null ? 0 : this.lastTime - this.firstTime,
      blocks: this.blocks,
      maxBlockMs: round3(this.maxBlockMs),
      totalBlockedMs: round3(this.totalBlockedMs),
      delay,
      delaySource: runDelay ? 'histogram' : delay ? 'samples' : 'none',
      eluMean: this.eluMean(),
      gcMs: round3(this.gcMs),
      maxHeapUsedBytes: this.maxHeap,
      maxRssBytes: this.maxRss,
      sites: this.siteSummaries(),
      leases: this.leases.build(),
      saturation: { periods: this.saturationPeriods, totalMs: round3(this.saturationMs) },
    };
  }

  private eluMean(): number | null {
    let weighted = 0;
    let total = 0;
    for (const s of this.samples) {
      weighted += s.elu * s.intervalMs;
      total += s.intervalMs;
    }
    return total > 0 ? Math.round((weighted / total) * 10_000) / 10_000 : null;
  }

  /**
   * Without the run's histogram, percentiles are estimated from the
   * per-interval ones: the median of p50s, the p90 of p90s and the worst
   * p99. Reports say when this was done.
   */
  private delayFromSamples(): DelayStats | null {
    const measured = this.samples.filter((s) => s.delay !== null).map((s) => s.delay as DelayStats);
    if (measured.length === 0) return null;
    const sorted = (pick: (d: DelayStats) => number): number[] => measured.map(pick).sort((a, b) => a - b);
    const weights = measured.length;
    return {
      minMs: Math.min(...measured.map((d) => d.minMs)),
      meanMs: round3(measured.reduce((sum, d) => sum + d.meanMs, 0) / weights),
      p50Ms: percentile(sorted((d) => d.p50Ms), 50),
      p90Ms: percentile(sorted((d) => d.p90Ms), 90),
      p99Ms: Math.max(...measured.map((d) => d.p99Ms)),
      maxMs: Math.max(...measured.map((d) => d.maxMs)),
    };
  }

  private siteSummaries(): SiteSummary[] {
    return [...this.sites.values()]
      .map((acc) => ({
        site: acc.site,
        count: acc.durations.length,
        totalMs: round3(acc.totalMs),
        maxMs: round3(acc.maxMs),
        p50Ms: round3(percentile([...acc.durations].sort((a, b) => a - b), 50)),
        lastSeen: acc.lastSeen,
        worstStack: acc.worstStack,
        kinds: acc.kinds,
        recommendation: acc.recommendation,
        ...(acc.package ? { package: acc.package } : {}),
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }
}
