/**
 * The recording's event types, version 1. docs/events.md describes each
 * field and schema/events.schema.json validates them; keep the three in
 * step. Conventions: `time` is epoch milliseconds, durations end in `Ms`
 * (milliseconds), sizes end in `Bytes`. Readers ignore types they do not
 * know, so adding a type is not a breaking change.
 */

export const SCHEMA_VERSION = 1;

export interface Frame {
  functionName: string;
  url: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Present and true for frames of the async part of the stack (opt-in). */
  async?: boolean;
  /** Where the running (compiled) code is, when the frame was source-mapped. */
  generated?: { url: string; line: number; column: number };
}

// ── Attribution (issue 4): what kind of starvation, and how to fix it ──

export type BlockKind = 'cpu' | 'sync-io' | 'microtasks' | 'gc' | 'unknown';

/** Which rule decided the kind, and on what (see docs/findings.md). */
export interface Evidence {
  rule: string;
  [detail: string]: unknown;
}

export interface Attribution {
  kind: BlockKind;
  /** One sentence: what ran, where, how long, and the change that fixes it. */
  recommendation: string;
  evidence: Evidence;
  /** The async function on the stack (`async scoreReport`). */
  task?: string;
  /**
   * The unit of work it was serving, read from the paused thread's own
   * variables: `BullMQ job "render-invoice" (id 7)`, `HTTP POST /login`.
   */
  unit?: string;
  /** npm package of the site when the site is library code. */
  package?: string;
}

export interface BaseEvent {
  type: string;
  time: number;
  pid: number;
  /** Worker-thread id when the event is about a thread other than the main one. */
  threadId?: number;
}

export interface StartEvent extends BaseEvent {
  type: 'start';
  v: number;
  node: string;
  argv: string[];
  config: Record<string, unknown>;
  runId?: string;
}

export interface DelayStats {
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface SampleEvent extends BaseEvent {
  type: 'sample';
  /** Length of the interval this sample covers. */
  intervalMs: number;
  /** null when the histogram recorded nothing in the interval. */
  delay: DelayStats | null;
  elu: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  rssBytes: number;
  gcMs: number;
}

export interface BlockStartEvent extends BaseEvent {
  type: 'block-start';
  id: number;
  blockedMs: number;
  stack: Frame[] | null;
  stackError?: string;
  site: string | null;
  /** Provisional kind from the first stack sample; the `block` event decides. */
  kind?: BlockKind;
}

export interface BlockEvent extends BaseEvent {
  type: 'block';
  id: number;
  /** When the block began. */
  time: number;
  durationMs: number;
  /** GC pause inside the block; null when the main thread could not say. */
  gcMs: number | null;
  stack: Frame[] | null;
  stackError?: string;
  site: string | null;
  /** How long after the block's start the stack was taken. */
  stackAtMs?: number;
  /** Stack samples taken during the block (the first is `stack`). */
  samples?: number;
  /** Path of the V8 CPU profile recorded during the block (--profile). */
  profile?: string;
  /**
   * Present and true for Node.js's own wait at shutdown, after the
   * application's last callback: recorded, not counted as a block.
   */
  shutdown?: true;
  /**
   * Present and true on a block rebuilt by a reader from `block-start` and
   * `block-ongoing` when the recording ends during it (the process was
   * killed): `durationMs` is then a lower bound. Never written by the probe.
   */
  unfinished?: true;
}

export interface BlockEvent extends Attribution {}

/** Utilization near 1 for a sustained period with no block over the threshold. */
export interface SaturationEvent extends BaseEvent {
  type: 'saturation';
  /** When the period began. */
  time: number;
  periodMs: number;
  /** Mean utilization over the period. */
  elu: number;
  /** The sites with most blocked time during the period, if any (may be empty). */
  sites: string[];
  kind: 'saturation';
  recommendation: string;
}

/** Worker threads beyond the slots the probe watches (THREAD_SLOTS) are not monitored. */
export interface ThreadsUnmonitoredEvent extends BaseEvent {
  type: 'threads-unmonitored';
  /** Workers so far that found no free slot. */
  count: number;
  slots: number;
}

export interface SiteSummary {
  site: string;
  count: number;
  totalMs: number;
  maxMs: number;
  p50Ms: number;
  lastSeen: number;
  /** Stack of the longest block at this site. */
  worstStack: Frame[] | null;
  /** Blocks at this site by kind. */
  kinds: Partial<Record<BlockKind, number>>;
  /** Recommendation of the longest block at this site. */
  recommendation: string | null;
  /** npm package when the site is library code. */
  package?: string;
}

// ── Leases (docs/events.md, Lease events) ──────────────────────────────────────

export type LeaseSourceName = 'api' | 'http' | 'timer';

/** A lease became known. */
export interface LeaseEvent extends BaseEvent {
  type: 'lease';
  lease: string;
  ttlMs: number;
  everyMs?: number;
  source: LeaseSourceName;
}

/** One renewal settled; `time` is when it settled. */
export interface RenewalEvent extends BaseEvent {
  type: 'renewal';
  lease: string;
  ttlMs: number;
  ok: boolean;
  waitMs: number;
  ioMs: number;
  marginMs: number;
  error?: string;
}

/** Written by the watchdog as the deadline passes; `time` is the deadline. */
export interface LeaseExpiredEvent extends BaseEvent {
  type: 'lease-expired';
  lease: string;
  ttlMs: number;
  sinceRenewalMs: number;
  duringBlock: boolean;
  site?: string;
  stack?: Frame[];
  blockId?: number;
  /** Provisional kind of the block under way (its `block` event has the final one). */
  kind?: BlockKind;
  /** What to do: shorten such blocks below the lease's budget, or look at I/O. */
  recommendation: string;
}

export interface LeaseRiskEvent extends BaseEvent {
  type: 'lease-risk';
  lease: string;
  ttlMs: number;
  marginMs: number;
  blockedMs: number;
  site?: string;
  stack?: Frame[];
  kind?: BlockKind;
  recommendation: string;
}

/** A recurring timer (period ≥ 1 s) fired later than the block threshold. */
export interface TimerLateEvent extends BaseEvent {
  type: 'timer-late';
  /** Where the timer was created; null when no frame outside Node and the probe. */
  site: string | null;
  periodMs: number;
  lateMs: number;
  lease?: string;
}

export interface LeaseSummary {
  lease: string;
  ttlMs: number;
  /** Declared, the timer's period, or inferred from renewal starts; null when unknown. */
  everyMs: number | null;
  source: LeaseSourceName;
  renewals: number;
  failures: number;
  expiries: number;
  /** null when there was no renewal. */
  worstWaitMs: number | null;
  worstMarginMs: number | null;
  ioP99Ms: number | null;
  /** TTL − every − p99 of renewal I/O: the longest block this lease survives. */
  budgetMs: number | null;
  /** Why budgetMs is null. */
  budgetReason?: string;
  /** Longest block that ended while the lease was known; 0 when none. */
  longestBlockMs: number;
}

export interface RunSummary {
  durationMs: number;
  blocks: number;
  maxBlockMs: number;
  totalBlockedMs: number;
  /** Whole-run delay percentiles; null when nothing was measured. */
  delay: DelayStats | null;
  /** `exact` from the run's own histogram, `approximate` from samples. */
  delaySource: 'histogram' | 'samples' | 'none';
  eluMean: number | null;
  gcMs: number;
  maxHeapUsedBytes: number | null;
  maxRssBytes: number | null;
  sites: SiteSummary[];
  /** One entry per lease seen (empty when none). */
  leases: LeaseSummary[];
  /** Saturation periods found (see SaturationEvent). */
  saturation?: { periods: number; totalMs: number };
}

export interface EndEvent extends BaseEvent {
  type: 'end';
  summary: RunSummary;
}

export type KnownEvent =
  | StartEvent | SampleEvent | BlockStartEvent | BlockEvent | SaturationEvent | EndEvent
  | LeaseEvent | RenewalEvent | LeaseExpiredEvent | LeaseRiskEvent | TimerLateEvent;

export type AnyEvent = KnownEvent | (BaseEvent & Record<string, unknown>);
