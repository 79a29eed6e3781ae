import type { BlockEvent, Frame } from '../record/events.js';
import type { Recording } from '../record/read.js';
import { analyze } from '../report/model.js';

/**
 * What the limits are judged on, taken from one recording. The run's
 * figures come from the summary builder (through report/model.ts), so a
 * recording cut short by a kill (no `end`) is judged on the same numbers
 * `starve-probe report` shows. Lease events are read as they are written
 * by the lease part of the probe; a recording without them simply has no
 * lease data.
 */

export interface BlockFact {
  id: number;
  /** Epoch ms when the block began. */
  time: number;
  durationMs: number;
  site: string | null;
  stack: Frame[] | null;
  /** From the attribution part of the probe, when it ran. */
  kind?: string;
  recommendation?: string;
  threadId?: number;
}

export interface RenewalFact {
  lease: string;
  /** Epoch ms when the renewal settled. */
  time: number;
  ttlMs: number;
  ok: boolean;
  /** TTL left when the renewal settled; negative when already expired. */
  marginMs: number;
  error?: string;
}

export interface ExpiryFact {
  lease: string;
  time: number;
  ttlMs: number;
  sinceRenewalMs: number | null;
  duringBlock: boolean;
  site: string | null;
  stack: Frame[] | null;
  /** The block that held the thread while the lease ran out, when known. */
  block: BlockFact | null;
}

export interface RecordingMeasures {
  path: string;
  pid: number;
  argv: string[];
  /** The probe's block threshold in this run, when the recording says. */
  thresholdMs: number | null;
  complete: boolean;
  durationMs: number;
  p50Ms: number | null;
  p99Ms: number | null;
  delaySource: 'histogram' | 'samples' | 'none';
  eluMean: number | null;
  blocks: BlockFact[];
  totalBlockedMs: number;
  renewals: RenewalFact[];
  expiries: ExpiryFact[];
  /** Any lease event at all: leases were watched in this run. */
  hasLeases: boolean;
}

export function measureRecording(recording: Recording): RecordingMeasures {
  const report = analyze(recording);
  const s = report.summary;
  const blocks = report.blocks.map(blockFact);
  const renewals: RenewalFact[] = [];
  const expiries: ExpiryFact[] = [];
  for (const event of recording.events) {
    const e = event as unknown as Record<string, unknown>;
    if (event.type === 'renewal') {
      const fact = renewalFact(e);
      if (fact) renewals.push(fact);
    } else if (event.type === 'lease-expired') {
      const fact = expiryFact(e, blocks);
      if (fact) expiries.push(fact);
    }
  }
  const summaryLeases = (recording.end?.summary as { leases?: unknown } | undefined)?.leases;
  const hasLeases = renewals.length > 0 || expiries.length > 0 ||
    (Array.isArray(summaryLeases) && summaryLeases.length > 0) ||
    recording.events.some((e) => e.type === 'lease' || e.type.startsWith('lease-'));
  return {
    path: recording.path,
    pid: report.pid,
    argv: report.argv,
    thresholdMs: report.thresholdMs,
    complete: report.complete,
    durationMs: s.durationMs,
    p50Ms: s.delay?.p50Ms ?? null,
    p99Ms: s.delay?.p99Ms ?? null,
    delaySource: s.delaySource,
    eluMean: s.eluMean,
    blocks,
    totalBlockedMs: s.totalBlockedMs,
    renewals,
    expiries,
    hasLeases,
  };
}

function blockFact(b: BlockEvent): BlockFact {
  const extra = b as unknown as Record<string, unknown>;
  return {
    id: b.id,
    time: b.time,
    durationMs: b.durationMs,
    site: b.site,
    stack: b.stack,
    ...(typeof extra.kind === 'string' ? { kind: extra.kind } : {}),
    ...(typeof extra.recommendation === 'string' ? { recommendation: extra.recommendation } : {}),
    ...(typeof b.threadId === 'number' ? { threadId: b.threadId } : {}),
  };
}

function renewalFact(e: Record<string, unknown>): RenewalFact | null {
  if (typeof e.lease !== 'string') return null;
  if (typeof e.marginMs !== 'number' || typeof e.ttlMs !== 'number') return null;
  return {
    lease: e.lease,
    time: e.time as number,
    ttlMs: e.ttlMs,
    ok: e.ok !== false,
    marginMs: e.marginMs,
    ...(typeof e.error === 'string' ? { error: e.error } : {}),
  };
}

function expiryFact(e: Record<string, unknown>, blocks: readonly BlockFact[]): ExpiryFact | null {
  if (typeof e.lease !== 'string') return null;
  const block = typeof e.blockId === 'number'
    ? blocks.find((b) => b.id === e.blockId) ?? null
    : null;
  return {
    lease: e.lease,
    time: e.time as number,
    ttlMs: typeof e.ttlMs === 'number' ? e.ttlMs : 0,
    sinceRenewalMs: typeof e.sinceRenewalMs === 'number' ? e.sinceRenewalMs : null,
    duringBlock: e.duringBlock === true,
    site: typeof e.site === 'string' ? e.site : block?.site ?? null,
    stack: Array.isArray(e.stack) ? (e.stack as Frame[]) : block?.stack ?? null,
    block,
  };
}

/** The longest block that overlaps [fromMs, toMs] (epoch ms), if any. */
export function longestBlockBetween(
  blocks: readonly BlockFact[], fromMs: number, toMs: number,
): BlockFact | null {
  let worst: BlockFact | null = null;
  for (const b of blocks) {
    const overlaps = b.time <= toMs && b.time + b.durationMs >= fromMs;
    if (overlaps && (!worst || b.durationMs > worst.durationMs)) worst = b;
  }
  return worst;
}
