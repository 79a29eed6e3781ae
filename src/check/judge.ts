import { formatMs } from '../config/duration.js';
import { shortSite } from '../report/paths.js';
import type { Budget } from './budget.js';
import { LIMITS, limitByKey, type LimitKey, type LimitSpec, type LimitValue, type Margin } from './limits.js';
import { longestBlockBetween, type BlockFact, type ExpiryFact, type RecordingMeasures, type RenewalFact } from './measure.js';
import { formatLimit, formatMargin, formatRatio } from './values.js';

/**
 * Pure: measurements of one or more recordings plus the limits give the
 * verdict. Each limit is judged on every recording and reported for the
 * worst one (a command that starts several Node.js processes has one
 * recording per process; the limit holds only if it holds in each).
 * Nothing here reads files, clocks or the environment.
 */

export type Status = 'pass' | 'fail' | 'no-data';

export interface Evidence {
  recording: string;
  pid: number;
  /** The block behind the finding: the worst one, or the one that expired a lease. */
  block: BlockFact | null;
  lease?: string;
  renewal?: RenewalFact;
  expiry?: ExpiryFact;
  /** What to do about it: the block's own recommendation, or the limit's. */
  recommendation: string;
}

export interface LimitResult {
  key: LimitKey;
  flag: string;
  measures: string;
  status: Status;
  /** The measured value in the limit's unit (ms, ratio, count); null without data. */
  measured: number | null;
  measuredText: string;
  limit: LimitValue;
  limitText: string;
  /** The finding as a whole sentence with the measured value and the limit. */
  sentence: string;
  /** Recording of the worst value. */
  recording: string | null;
  evidence: Evidence[];
}

export interface CommandOutcome {
  argv: string[];
  code: number | null;
  signal: string | null;
}

export interface Verdict {
  ok: boolean;
  strict: boolean;
  results: LimitResult[];
  command: CommandOutcome | null;
  recordings: Array<{ path: string; pid: number; argv: string[]; complete: boolean }>;
  budget: string | null;
  notes: string[];
}

export interface JudgeOptions {
  strict: boolean;
  /** Sites are matched and shown relative to this directory. */
  cwd: string;
  command?: CommandOutcome | null;
}

export const ADVICE = {
  block:
    'Move the CPU-heavy work to a worker thread, or split it into slices ' +
    'that yield to the event loop (await setImmediate()); replace *Sync ' +
    'calls with their asynchronous forms.',
  lease:
    'Fix the block that held the thread while the lease ran down, and ' +
    'renew with more margin (e.g. every third of the TTL).',
  leaseWithoutBlock:
    'No block of the main thread explains it: look for what delayed the ' +
    'renewal (a slow lease server, slow I/O, a renewal timer that was not ' +
    'scheduled) and renew with more margin.',
  elu:
    'The event loop is busy almost all the time: move work off the main ' +
    'thread or spread the load over more processes.',
} as const;

type Judge = (all: readonly RecordingMeasures[], budget: Budget, o: JudgeOptions) => LimitResult | null;

const JUDGES: Record<LimitKey, Judge> = {
  maxP99Ms: (all, b) => scalar('maxP99Ms', b.limits.maxP99Ms, all, (m) => m.p99Ms, 'no event-loop delay was measured (the run ended before the first sample)'),
  maxP50Ms: (all, b) => scalar('maxP50Ms', b.limits.maxP50Ms, all, (m) => m.p50Ms, 'no event-loop delay was measured (the run ended before the first sample)'),
  maxBlockedMs: (all, b) => scalar('maxBlockedMs', b.limits.maxBlockedMs, all, (m) => m.totalBlockedMs, ''),
  maxBlockedRatio: (all, b) => scalar('maxBlockedRatio', b.limits.maxBlockedRatio, all,
    (m) => (m.durationMs > 0 ? m.totalBlockedMs / m.durationMs : null), 'the recording covers no time'),
  maxBlocks: (all, b) => scalar('maxBlocks', b.limits.maxBlocks, all, (m) => m.blocks.length, ''),
  maxElu: (all, b) => scalar('maxElu', b.limits.maxElu, all, (m) => m.eluMean, 'no utilization was measured (the run ended before the first sample)'),
  maxBlockMs: judgeMaxBlock,
  minLeaseMargin: judgeLeaseMargin,
  noLeaseExpired: judgeLeaseExpired,
};

export function judge(all: readonly RecordingMeasures[], budget: Budget, options: JudgeOptions): Verdict {
  const results = LIMITS.map((spec) => JUDGES[spec.key](all, budget, options)).filter((r): r is LimitResult => r !== null);
  const notes = recordingNotes(all);
  const command = options.command ?? null;
  const commandFailed = command !== null && (command.code !== 0 || command.signal !== null);
  const broken = results.some((r) => r.status === 'fail' || (options.strict && r.status === 'no-data'));
  return {
    ok: !broken && !commandFailed,
    strict: options.strict,
    results,
    command,
    recordings: all.map((m) => ({ path: m.path, pid: m.pid, argv: m.argv, complete: m.complete })),
    budget: budget.path,
    notes,
  };
}

/** A limit the verdict counts as broken: failed, or without data under --strict. */
export function isBroken(result: LimitResult, strict: boolean): boolean {
  return result.status === 'fail' || (strict && result.status === 'no-data');
}

/** How a measured value reads at the start of a sentence, where "The X was" reads badly. */
const SUBJECTS: Partial<Record<LimitKey, (value: number, text: string) => string>> = {
  maxBlocks: (n) => `${n === 1 ? '1 block' : `${n} blocks`} went over the probe's threshold`,
  maxBlockedMs: (_ms, text) => `The main thread was blocked for ${text} in all`,
  maxBlockedRatio: (ratio) => `The main thread was blocked for ${percent(ratio)} of the run`,
  maxElu: (ratio) => `The event loop was busy ${percent(ratio)} of the time on average`,
};

const percent = (ratio: number): string => `${Math.round(ratio * 1000) / 10} %`;

// ── one number per recording, the highest must stay under the limit ──────

function scalar(
  key: LimitKey,
  limit: number | undefined,
  all: readonly RecordingMeasures[],
  pick: (m: RecordingMeasures) => number | null,
  noDataReason: string,
): LimitResult | null {
  if (limit === undefined) return null;
  const spec = limitByKey(key);
  let worst: { m: RecordingMeasures; value: number } | null = null;
  for (const m of all) {
    const value = pick(m);
    if (value !== null && (!worst || value > worst.value)) worst = { m, value };
  }
  if (!worst) return noData(spec, limit, noDataReason);
  const { m, value } = worst;
  const fail = value > limit;
  const longest = longestBlock(m.blocks);
  const isBlockLimit = key === 'maxBlocks' || key === 'maxBlockedMs' || key === 'maxBlockedRatio';
  const evidence = fail && (longest || key === 'maxElu')
    ? [{ recording: m.path, pid: m.pid, block: longest, recommendation: longest?.recommendation ?? (key === 'maxElu' ? ADVICE.elu : ADVICE.block) }]
    : [];
  const measuredText = formatValue(spec, value);
  const zeroBlocks = isBlockLimit && m.blocks.length === 0 ? ' (no block over the threshold)' : '';
  return {
    ...head(spec, limit),
    status: fail ? 'fail' : 'pass',
    measured: value,
    measuredText,
    sentence: `${SUBJECTS[key]?.(value, measuredText) ?? `The ${spec.measures} was ${measuredText}`}${zeroBlocks}, ` +
      `${fail ? 'over' : 'within'} the limit of ${formatLimit(spec, limit)}.`,
    recording: m.path,
    evidence,
  };
}

// ── the longest block, with per-site limits ───────────────────────────────

function judgeMaxBlock(all: readonly RecordingMeasures[], budget: Budget, o: JudgeOptions): LimitResult | null {
  const spec = limitByKey('maxBlockMs');
  const global = budget.limits.maxBlockMs;
  const siteLimits = budget.sites.filter((s) => s.limits.maxBlockMs !== undefined);
  if (global === undefined && siteLimits.length === 0) return null;

  const limitFor = (b: BlockFact): { ms: number; site: string | null } | null => {
    const shown = b.site ? shortSite(b.site, o.cwd) : null;
    const override = siteLimits.find((s) => b.site !== null && (b.site.includes(s.site) || (shown ?? '').includes(s.site)));
    if (override) return { ms: override.limits.maxBlockMs as number, site: override.site };
    return global === undefined ? null : { ms: global, site: null };
  };

  let worst: { m: RecordingMeasures; b: BlockFact; limit: { ms: number; site: string | null } } | null = null;
  for (const m of all) {
    for (const b of m.blocks) {
      const limit = limitFor(b);
      if (!limit) continue;
      if (!worst || b.durationMs - limit.ms > worst.b.durationMs - worst.limit.ms) worst = { m, b, limit };
    }
  }

  const shownLimit = global ?? (siteLimits[0]?.limits.maxBlockMs as number);
  if (!worst || worst.b.durationMs <= worst.limit.ms) {
    const blind = global === undefined ? undefined : all.find((m) => m.thresholdMs !== null && m.thresholdMs > global);
    if (blind) {
      return noData(spec, shownLimit,
        `the limit ${formatMs(global)} is below the probe's block threshold of ${formatMs(blind.thresholdMs)} in ${blind.path}, so shorter blocks were not recorded; run with --threshold ${formatMs(global).replace(' ', '')}`);
    }
  }
  if (!worst) {
    return {
      ...head(spec, shownLimit),
      status: 'pass',
      measured: 0,
      measuredText: 'no block',
      sentence: `No block over the probe's threshold was recorded; the limit is ${formatMs(shownLimit)}.`,
      recording: all[0]?.path ?? null,
      evidence: [],
    };
  }
  const { m, b, limit } = worst;
  const fail = b.durationMs > limit.ms;
  const where = b.site ? ` in ${shortSite(b.site, o.cwd)}` : ' (no stack was taken)';
  const override = limit.site === null ? '' : ` set for sites matching "${limit.site}"`;
  return {
    ...head(spec, limit.ms),
    limitText: `${formatMs(limit.ms)}${limit.site === null ? '' : ' (site override)'}`,
    status: fail ? 'fail' : 'pass',
    measured: b.durationMs,
    measuredText: formatMs(b.durationMs),
    sentence: fail
      ? `A block lasted ${formatMs(b.durationMs)}${where}, over the limit of ${formatMs(limit.ms)}${override}.`
      : `The longest block lasted ${formatMs(b.durationMs)}${where}, within the limit of ${formatMs(limit.ms)}${override}.`,
    recording: m.path,
    evidence: fail ? [{ recording: m.path, pid: m.pid, block: b, recommendation: b.recommendation ?? ADVICE.block }] : [],
  };
}

// ── leases ─────────────────────────────────────────────────────────────────

function judgeLeaseMargin(all: readonly RecordingMeasures[], budget: Budget): LimitResult | null {
  const spec = limitByKey('minLeaseMargin');
  const global = budget.limits.minLeaseMargin;
  const overrides = budget.leases.filter((l) => l.limits.minLeaseMargin !== undefined);
  if (global === undefined && overrides.length === 0) return null;
  const marginFor = (lease: string): Margin | undefined =>
    overrides.find((l) => l.lease === lease)?.limits.minLeaseMargin ?? global;
  const shownLimit = global ?? (overrides[0]?.limits.minLeaseMargin as Margin);

  let worst: { m: RecordingMeasures; r: RenewalFact; margin: Margin; shortMs: number } | null = null;
  for (const m of all) {
    for (const r of m.renewals) {
      const margin = marginFor(r.lease);
      if (!margin) continue;
      const neededMs = 'ms' in margin ? margin.ms : margin.ratioOfTtl * r.ttlMs;
      const shortMs = neededMs - r.marginMs;
      if (!worst || shortMs > worst.shortMs) worst = { m, r, margin, shortMs };
    }
  }
  if (!worst) return noData(spec, shownLimit, 'no lease renewal was recorded');

  const { m, r, margin, shortMs } = worst;
  const fail = shortMs > 0;
  const measuredText = `${formatMs(r.marginMs)} (${Math.round((r.marginMs / r.ttlMs) * 1000) / 10} % of ${formatMs(r.ttlMs)})`;
  const block = longestBlockBetween(m.blocks, r.time - r.ttlMs, r.time);
  return {
    ...head(spec, margin),
    status: fail ? 'fail' : 'pass',
    measured: r.marginMs,
    measuredText,
    sentence: `The smallest margin was lease "${r.lease}" with ${measuredText} left when a renewal settled, ${fail ? 'under' : 'within'} the limit of ${formatMargin(margin)}.`,
    recording: m.path,
    evidence: fail
      ? [{ recording: m.path, pid: m.pid, block, lease: r.lease, renewal: r,
        recommendation: block?.recommendation ?? (block ? ADVICE.lease : ADVICE.leaseWithoutBlock) }]
      : [],
  };
}

function judgeLeaseExpired(all: readonly RecordingMeasures[], budget: Budget): LimitResult | null {
  const spec = limitByKey('noLeaseExpired');
  const global = budget.limits.noLeaseExpired;
  const anyLeases = all.some((m) => m.hasLeases);
  const overrideOn = budget.leases.some((l) => l.limits.noLeaseExpired === true);
  if (global === false && !overrideOn) return null;
  if (global === undefined && !anyLeases && !overrideOn) return null;
  const checked = (lease: string): boolean =>
    budget.leases.find((l) => l.lease === lease && l.limits.noLeaseExpired !== undefined)?.limits.noLeaseExpired ?? global ?? true;
  if (!anyLeases) return noData(spec, true, 'the run recorded no lease events');

  const expired = all.flatMap((m) => m.expiries.filter((e) => checked(e.lease)).map((e) => ({ m, e })));
  const first = expired[0];
  const leases = [...new Set(expired.map(({ e }) => `"${e.lease}"`))];
  return {
    ...head(spec, true),
    status: first ? 'fail' : 'pass',
    measured: expired.length,
    measuredText: `${expired.length} expired`,
    sentence: first
      ? `${expired.length === 1 ? 'A lease' : `${expired.length} leases`} expired (${leases.join(', ')}); the limit allows none.`
      : 'No lease expired.',
    recording: first?.m.path ?? null,
    evidence: expired.slice(0, 5).map(({ m, e }) => ({
      recording: m.path,
      pid: m.pid,
      block: e.block ?? (e.site || e.stack ? syntheticBlock(e) : null),
      lease: e.lease,
      expiry: e,
      recommendation: e.block?.recommendation ?? (e.block || e.site ? ADVICE.lease : ADVICE.leaseWithoutBlock),
    })),
  };
}

/** An expiry that names a site but no recorded block (e.g. a block still open at exit). */
function syntheticBlock(e: ExpiryFact): BlockFact {
  return { id: 0, time: e.time, durationMs: e.sinceRenewalMs ?? 0, site: e.site, stack: e.stack };
}

// ── helpers ───────────────────────────────────────────────────────────────

function head(spec: LimitSpec, limit: LimitValue): Pick<LimitResult, 'key' | 'flag' | 'measures' | 'limit' | 'limitText'> {
  return { key: spec.key, flag: spec.flag, measures: spec.measures, limit, limitText: formatLimit(spec, limit) };
}

function noData(spec: LimitSpec, limit: LimitValue, reason: string): LimitResult {
  return {
    ...head(spec, limit),
    status: 'no-data',
    measured: null,
    measuredText: 'no data',
    sentence: `Not enough data for the ${spec.measures}: ${reason}.`,
    recording: null,
    evidence: [],
  };
}

function formatValue(spec: LimitSpec, value: number): string {
  if (spec.kind === 'ratio') return formatRatio(value);
  if (spec.kind === 'count') return String(value);
  return formatMs(value);
}

function longestBlock(blocks: readonly BlockFact[]): BlockFact | null {
  return blocks.reduce<BlockFact | null>((w, b) => (!w || b.durationMs > w.durationMs ? b : w), null);
}

function recordingNotes(all: readonly RecordingMeasures[]): string[] {
  return all
    .filter((m) => !m.complete)
    .map((m) => `${m.path} has no end event (the process was killed or is still running); it is judged on what was recorded.`);
}
