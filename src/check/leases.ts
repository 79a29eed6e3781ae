import { formatMs } from '../config/duration.js';
import type { Budget } from './budget.js';
import { limitByKey, type Margin } from './limits.js';
import {
  longestBlockBetween, type BlockFact, type ExpiryFact, type RecordingMeasures, type RenewalFact,
} from './measure.js';
import { formatMargin } from './values.js';
import { ADVICE, head, noData, type LimitResult } from './verdict.js';

/**
 * The lease limits: the smallest margin a renewal left, and expiries.
 * Both take per-lease overrides from the budget file, by exact name.
 */

interface Shortfall {
  m: RecordingMeasures;
  r: RenewalFact;
  margin: Margin;
  /** How far the margin fell short of what its lease needed; negative when it held. */
  shortMs: number;
}

export function judgeLeaseMargin(
  all: readonly RecordingMeasures[], budget: Budget,
): LimitResult | null {
  const spec = limitByKey('minLeaseMargin');
  const global = budget.limits.minLeaseMargin;
  const overrides = budget.leases.filter((l) => l.limits.minLeaseMargin !== undefined);
  if (global === undefined && overrides.length === 0) return null;
  const marginFor = (lease: string): Margin | undefined =>
    overrides.find((l) => l.lease === lease)?.limits.minLeaseMargin ?? global;

  // The worst renewal is the one furthest short of what its lease needed.
  let worst: Shortfall | null = null;
  for (const m of all) {
    for (const r of m.renewals) {
      const margin = marginFor(r.lease);
      if (!margin) continue;
      const neededMs = 'ms' in margin ? margin.ms : margin.ratioOfTtl * r.ttlMs;
      const shortMs = neededMs - r.marginMs;
      if (!worst || shortMs > worst.shortMs) worst = { m, r, margin, shortMs };
    }
  }
  if (!worst) {
    const shown = global ?? (overrides[0]?.limits.minLeaseMargin as Margin);
    return noData(spec, shown, 'no lease renewal was recorded');
  }

  const { m, r, margin, shortMs } = worst;
  const fail = shortMs > 0;
  const share = Math.round((r.marginMs / r.ttlMs) * 1000) / 10;
  const measuredText = `${formatMs(r.marginMs)} (${share} % of ${formatMs(r.ttlMs)})`;
  const block = longestBlockBetween(m.blocks, r.time - r.ttlMs, r.time);
  const recommendation = block?.recommendation ?? (block ? ADVICE.lease : ADVICE.leaseWithoutBlock);
  return {
    ...head(spec, margin),
    status: fail ? 'fail' : 'pass',
    measured: r.marginMs,
    measuredText,
    sentence:
      `The smallest margin was lease "${r.lease}" with ${measuredText} left when a renewal ` +
      `settled, ${fail ? 'under' : 'within'} the limit of ${formatMargin(margin)}.`,
    recording: m.path,
    evidence: fail
      ? [{ recording: m.path, pid: m.pid, block, lease: r.lease, renewal: r, recommendation }]
      : [],
  };
}

/** At most this many expiries are shown with their evidence. */
const EXPIRIES_SHOWN = 5;

export function judgeLeaseExpired(
  all: readonly RecordingMeasures[], budget: Budget,
): LimitResult | null {
  const spec = limitByKey('noLeaseExpired');
  const global = budget.limits.noLeaseExpired;
  const anyLeases = all.some((m) => m.hasLeases);
  const overrideOn = budget.leases.some((l) => l.limits.noLeaseExpired === true);
  // On by default only when leases were watched; "false" switches it off.
  if (global === false && !overrideOn) return null;
  if (global === undefined && !anyLeases && !overrideOn) return null;
  if (!anyLeases) return noData(spec, true, 'the run recorded no lease events');
  const checked = (lease: string): boolean => {
    const override = budget.leases.find((l) =>
      l.lease === lease && l.limits.noLeaseExpired !== undefined);
    return override?.limits.noLeaseExpired ?? global ?? true;
  };

  const expired = all.flatMap((m) =>
    m.expiries.filter((e) => checked(e.lease)).map((e) => ({ m, e })));
  const first = expired[0];
  const names = [...new Set(expired.map(({ e }) => `"${e.lease}"`))].join(', ');
  const count = expired.length;
  return {
    ...head(spec, true),
    status: first ? 'fail' : 'pass',
    measured: count,
    measuredText: `${count} expired`,
    sentence: first
      ? `${count === 1 ? 'A lease' : `${count} leases`} expired (${names}); the limit allows none.`
      : 'No lease expired.',
    recording: first?.m.path ?? null,
    evidence: expired.slice(0, EXPIRIES_SHOWN).map(({ m, e }) => ({
      recording: m.path,
      pid: m.pid,
      block: e.block ?? (e.site || e.stack ? blockOfExpiry(e) : null),
      lease: e.lease,
      expiry: e,
      recommendation: e.block?.recommendation ??
        (e.block || e.site ? ADVICE.lease : ADVICE.leaseWithoutBlock),
    })),
  };
}

/** An expiry that names a site but no recorded block (e.g. a block still open at exit). */
function blockOfExpiry(e: ExpiryFact): BlockFact {
  return { id: 0, time: e.time, durationMs: e.sinceRenewalMs ?? 0, site: e.site, stack: e.stack };
}
