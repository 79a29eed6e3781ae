import { formatMs } from '../config/duration.js';
import { shortSite } from '../report/paths.js';
import type { Budget } from './budget.js';
import { judgeLeaseExpired, judgeLeaseMargin } from './leases.js';
import { LIMITS, limitByKey, type LimitKey, type LimitSpec } from './limits.js';
import type { BlockFact, RecordingMeasures } from './measure.js';
import { formatLimit, formatRatio } from './values.js';
import {
  ADVICE, commandFailed, head, isBroken, noData,
  type CommandOutcome, type LimitResult, type Verdict,
} from './verdict.js';

/**
 * Pure: measurements of one or more recordings plus the limits give the
 * verdict. Each limit is judged on every recording and reported for the
 * worst one (a command that starts several Node.js processes has one
 * recording per process; the limit holds only if it holds in each).
 * Nothing here reads files, clocks or the environment.
 */

export interface JudgeOptions {
  strict: boolean;
  /** Sites are matched and shown relative to this directory. */
  cwd: string;
  command?: CommandOutcome | null;
}

type Judge = (
  all: readonly RecordingMeasures[], budget: Budget, o: JudgeOptions,
) => LimitResult | null;

const NO_DELAY = 'no event-loop delay was measured (the run ended before the first sample)';
const NO_TIME = 'the recording covers no time';
const NO_ELU = 'no utilization was measured (the run ended before the first sample)';
const blockedShare = (m: RecordingMeasures): number | null =>
  m.durationMs > 0 ? m.totalBlockedMs / m.durationMs : null;

const JUDGES: Record<LimitKey, Judge> = {
  maxP99Ms: (all, b) => scalar('maxP99Ms', b.limits.maxP99Ms, all, (m) => m.p99Ms, NO_DELAY),
  maxP50Ms: (all, b) => scalar('maxP50Ms', b.limits.maxP50Ms, all, (m) => m.p50Ms, NO_DELAY),
  maxBlockMs: judgeMaxBlock,
  maxBlockedMs: (all, b) =>
    scalar('maxBlockedMs', b.limits.maxBlockedMs, all, (m) => m.totalBlockedMs, ''),
  maxBlockedRatio: (all, b) =>
    scalar('maxBlockedRatio', b.limits.maxBlockedRatio, all, blockedShare, NO_TIME),
  maxBlocks: (all, b) => scalar('maxBlocks', b.limits.maxBlocks, all, (m) => m.blocks.length, ''),
  minLeaseMargin: judgeLeaseMargin,
  noLeaseExpired: judgeLeaseExpired,
  maxElu: (all, b) => scalar('maxElu', b.limits.maxElu, all, (m) => m.eluMean, NO_ELU),
};

export function judge(
  all: readonly RecordingMeasures[], budget: Budget, options: JudgeOptions,
): Verdict {
  const results = LIMITS
    .map((spec) => JUDGES[spec.key](all, budget, options))
    .filter((r): r is LimitResult => r !== null);
  const command = options.command ?? null;
  const broken = results.some((r) => isBroken(r, options.strict));
  return {
    ok: !broken && !commandFailed(command),
    strict: options.strict,
    results,
    command,
    recordings: all.map((m) => ({ path: m.path, pid: m.pid, argv: m.argv, complete: m.complete })),
    budget: budget.path,
    notes: all
      .filter((m) => !m.complete)
      .map((m) => `${m.path} has no end event (the process was killed or is still running); ` +
        'it is judged on what was recorded.'),
  };
}

// ── one number per recording; the highest must stay within the limit ─────

/** How a measured value reads at the start of a sentence, where "The X was" reads badly. */
const SUBJECTS: Partial<Record<LimitKey, (value: number, text: string) => string>> = {
  maxBlocks: (n) => `${n === 1 ? '1 block' : `${n} blocks`} went over the probe's threshold`,
  maxBlockedMs: (_ms, text) => `The main thread was blocked for ${text} in all`,
  maxBlockedRatio: (ratio) => `The main thread was blocked for ${percent(ratio)} of the run`,
  maxElu: (ratio) => `The event loop was busy ${percent(ratio)} of the time on average`,
};

const BLOCK_COUNTS: readonly LimitKey[] = ['maxBlocks', 'maxBlockedMs', 'maxBlockedRatio'];

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
  const advice = key === 'maxElu' ? ADVICE.elu : ADVICE.block;
  const evidence = fail && (longest || key === 'maxElu')
    ? [{ recording: m.path, pid: m.pid, block: longest,
      recommendation: longest?.recommendation ?? advice }]
    : [];
  const measuredText = formatValue(spec, value);
  const subject = SUBJECTS[key]?.(value, measuredText) ??
    `The ${spec.measures} was ${measuredText}`;
  const noBlock = BLOCK_COUNTS.includes(key) && m.blocks.length === 0;
  const none = noBlock ? ' (no block over the threshold)' : '';
  return {
    ...head(spec, limit),
    status: fail ? 'fail' : 'pass',
    measured: value,
    measuredText,
    sentence: `${subject}${none}, ${fail ? 'over' : 'within'} ` +
      `the limit of ${formatLimit(spec, limit)}.`,
    recording: m.path,
    evidence,
  };
}

// ── the longest block, with per-site limits ───────────────────────────────

interface BlockLimit {
  ms: number;
  /** The budget's site text when an override applies. */
  site: string | null;
}

function judgeMaxBlock(
  all: readonly RecordingMeasures[], budget: Budget, o: JudgeOptions,
): LimitResult | null {
  const spec = limitByKey('maxBlockMs');
  const global = budget.limits.maxBlockMs;
  const siteLimits = budget.sites.filter((s) => s.limits.maxBlockMs !== undefined);
  if (global === undefined && siteLimits.length === 0) return null;

  const limitFor = (b: BlockFact): BlockLimit | null => {
    const site = b.site;
    const override = site === null ? undefined : siteLimits.find((s) =>
      site.includes(s.site) || shortSite(site, o.cwd).includes(s.site));
    if (override) return { ms: override.limits.maxBlockMs as number, site: override.site };
    return global === undefined ? null : { ms: global, site: null };
  };

  // The worst block is the one furthest over its own limit.
  let worst: { m: RecordingMeasures; b: BlockFact; limit: BlockLimit } | null = null;
  for (const m of all) {
    for (const b of m.blocks) {
      const limit = limitFor(b);
      if (limit && (!worst || b.durationMs - limit.ms > worst.b.durationMs - worst.limit.ms)) {
        worst = { m, b, limit };
      }
    }
  }

  const shownLimit = global ?? (siteLimits[0]?.limits.maxBlockMs as number);
  const held = !worst || worst.b.durationMs <= worst.limit.ms;
  const blind = held && global !== undefined
    ? all.find((m) => m.thresholdMs !== null && m.thresholdMs > global)
    : undefined;
  if (blind && global !== undefined) {
    return noData(spec, shownLimit,
      `the limit ${formatMs(global)} is below the probe's block threshold of ` +
      `${formatMs(blind.thresholdMs)} in ${blind.path}, so shorter blocks were not recorded; ` +
      `run with --threshold ${formatMs(global).replace(' ', '')}`);
  }
  if (!worst) {
    return {
      ...head(spec, shownLimit),
      status: 'pass',
      measured: 0,
      measuredText: 'no block',
      sentence: "No block over the probe's threshold was recorded; " +
        `the limit is ${formatMs(shownLimit)}.`,
      recording: all[0]?.path ?? null,
      evidence: [],
    };
  }
  return blockResult(spec, worst, o.cwd);
}

function blockResult(
  spec: LimitSpec,
  { m, b, limit }: { m: RecordingMeasures; b: BlockFact; limit: BlockLimit },
  cwd: string,
): LimitResult {
  const fail = b.durationMs > limit.ms;
  const where = b.site ? ` in ${shortSite(b.site, cwd)}` : ' (no stack was taken)';
  const override = limit.site === null ? '' : ` set for sites matching "${limit.site}"`;
  const bound = `the limit of ${formatMs(limit.ms)}${override}`;
  return {
    ...head(spec, limit.ms),
    limitText: `${formatMs(limit.ms)}${limit.site === null ? '' : ' (site override)'}`,
    status: fail ? 'fail' : 'pass',
    measured: b.durationMs,
    measuredText: formatMs(b.durationMs),
    sentence: fail
      ? `A block lasted ${formatMs(b.durationMs)}${where}, over ${bound}.`
      : `The longest block lasted ${formatMs(b.durationMs)}${where}, within ${bound}.`,
    recording: m.path,
    evidence: fail
      ? [{ recording: m.path, pid: m.pid, block: b,
        recommendation: b.recommendation ?? ADVICE.block }]
      : [],
  };
}

// ── helpers ───────────────────────────────────────────────────────────────

const percent = (ratio: number): string => `${Math.round(ratio * 1000) / 10} %`;

function formatValue(spec: LimitSpec, value: number): string {
  if (spec.kind === 'ratio') return formatRatio(value);
  if (spec.kind === 'count') return String(value);
  return formatMs(value);
}

function longestBlock(blocks: readonly BlockFact[]): BlockFact | null {
  let longest: BlockFact | null = null;
  for (const b of blocks) if (!longest || b.durationMs > longest.durationMs) longest = b;
  return longest;
}
