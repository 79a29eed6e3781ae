/**
 * Every limit `starve-probe check` knows, declared once. The flag parser,
 * `check --help`, the budget file's validation and its JSON Schema
 * (schema/budget.schema.json) and the limits table of docs/ci.md are all
 * derived from this table (scripts/gen-check-docs.mjs writes the schema and
 * the doc table; a test keeps them true).
 *
 * A limit has three names: its flag (`max-block`), its key in the budget
 * file (`maxBlock`, as users write it, value with its unit: "200ms"), and
 * its key in code (`maxBlockMs`, the unit in the name).
 */

/**
 * - duration: milliseconds, written `250ms`, `2s` (a JSON number is ms);
 * - ratio: a fraction of 1, written `0.25` or `25%`;
 * - count: a whole number;
 * - margin: a duration, or a percentage of the lease's TTL (`30%`);
 * - switch: on when given (a flag without value; `true`/`false` in a budget).
 */
export type LimitKind = 'duration' | 'ratio' | 'count' | 'margin' | 'switch';

export type LimitKey =
  | 'maxP99Ms'
  | 'maxP50Ms'
  | 'maxBlockMs'
  | 'maxBlockedMs'
  | 'maxBlockedRatio'
  | 'maxBlocks'
  | 'minLeaseMargin'
  | 'noLeaseExpired'
  | 'maxElu';

export interface LimitSpec {
  readonly key: LimitKey;
  /** Flag of `starve-probe check`, without the dashes. */
  readonly flag: string;
  /** Key in starve-probe.budget.json. */
  readonly budgetKey: string;
  readonly kind: LimitKind;
  /** What is measured, as the output line names it. */
  readonly measures: string;
  /** The value's unit and form, for help and docs. */
  readonly unit: string;
  /** What happens when the limit is given nowhere. */
  readonly byDefault: string;
  /** May be set per blocking site in a budget file. */
  readonly perSite?: boolean;
  /** May be set per lease in a budget file. */
  readonly perLease?: boolean;
  readonly help: string;
}

export const LIMITS: readonly LimitSpec[] = [
  {
    key: 'maxP99Ms',
    flag: 'max-p99',
    budgetKey: 'maxP99',
    kind: 'duration',
    measures: 'event-loop delay p99',
    unit: 'duration',
    byDefault: 'not checked',
    help:
      'Highest event-loop delay p99 over the run (the run\'s own histogram; ' +
      'estimated from per-second samples when the process was killed).',
  },
  {
    key: 'maxP50Ms',
    flag: 'max-p50',
    budgetKey: 'maxP50',
    kind: 'duration',
    measures: 'event-loop delay p50',
    unit: 'duration',
    byDefault: 'not checked',
    help: 'Highest event-loop delay median over the run.',
  },
  {
    key: 'maxBlockMs',
    flag: 'max-block',
    budgetKey: 'maxBlock',
    kind: 'duration',
    measures: 'longest block',
    unit: 'duration',
    byDefault: 'not checked',
    perSite: true,
    help:
      'Longest single block of the main thread. Blocks shorter than the ' +
      'probe\'s threshold (100ms unless --threshold) are not recorded; ' +
      'check lowers the threshold to this limit when it runs the command.',
  },
  {
    key: 'maxBlockedMs',
    flag: 'max-blocked',
    budgetKey: 'maxBlocked',
    kind: 'duration',
    measures: 'time blocked',
    unit: 'duration',
    byDefault: 'not checked',
    help: 'Total time the main thread spent in blocks over the threshold.',
  },
  {
    key: 'maxBlockedRatio',
    flag: 'max-blocked-ratio',
    budgetKey: 'maxBlockedRatio',
    kind: 'ratio',
    measures: 'share of the run blocked',
    unit: 'ratio',
    byDefault: 'not checked',
    help: 'Total blocked time as a share of the recorded run\'s length.',
  },
  {
    key: 'maxBlocks',
    flag: 'max-blocks',
    budgetKey: 'maxBlocks',
    kind: 'count',
    measures: 'blocks over the threshold',
    unit: 'count',
    byDefault: 'not checked',
    help: 'Number of blocks over the probe\'s threshold.',
  },
  {
    key: 'minLeaseMargin',
    flag: 'min-lease-margin',
    budgetKey: 'minLeaseMargin',
    kind: 'margin',
    measures: 'smallest lease margin',
    unit: 'margin',
    byDefault: 'not checked',
    perLease: true,
    help:
      'Smallest time any lease had left of its TTL when a renewal settled, ' +
      'as a duration or as a percentage of the TTL (30%).',
  },
  {
    key: 'noLeaseExpired',
    flag: 'no-lease-expired',
    budgetKey: 'noLeaseExpired',
    kind: 'switch',
    measures: 'leases expired',
    unit: 'switch',
    byDefault: 'on when the recording has leases',
    perLease: true,
    help:
      'Any lease that expired fails the check. On by default when a ' +
      'recording has lease events; set "noLeaseExpired": false in a budget ' +
      'file to switch it off.',
  },
  {
    key: 'maxElu',
    flag: 'max-elu',
    budgetKey: 'maxElu',
    kind: 'ratio',
    measures: 'event-loop utilization',
    unit: 'ratio',
    byDefault: 'not checked',
    help: 'Ceiling on the mean event-loop utilization over the run.',
  },
];

export function limitByKey(key: LimitKey): LimitSpec {
  return LIMITS.find((l) => l.key === key) as LimitSpec;
}

/** A margin is either milliseconds or a share of the lease's TTL. */
export type Margin = { ms: number } | { ratioOfTtl: number };

/** Parsed limit values; an absent key is not checked. */
export interface Limits {
  maxP99Ms?: number;
  maxP50Ms?: number;
  maxBlockMs?: number;
  maxBlockedMs?: number;
  maxBlockedRatio?: number;
  maxBlocks?: number;
  minLeaseMargin?: Margin;
  noLeaseExpired?: boolean;
  maxElu?: number;
}

export type LimitValue = number | boolean | Margin;
