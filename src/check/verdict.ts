import type { LimitKey, LimitSpec, LimitValue } from './limits.js';
import type { BlockFact, ExpiryFact, RenewalFact } from './measure.js';
import { formatLimit } from './values.js';

/**
 * The shape of a verdict, shared by the judges (judge.ts, leases.ts) and
 * the outputs (output/). `--json` prints it as it is.
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

/** A limit the verdict counts as broken: failed, or without data under --strict. */
export function isBroken(result: LimitResult, strict: boolean): boolean {
  return result.status === 'fail' || (strict && result.status === 'no-data');
}

export function commandFailed(command: CommandOutcome | null): boolean {
  return command !== null && (command.code !== 0 || command.signal !== null);
}

type Head = Pick<LimitResult, 'key' | 'flag' | 'measures' | 'limit' | 'limitText'>;

export function head(spec: LimitSpec, limit: LimitValue): Head {
  return {
    key: spec.key,
    flag: spec.flag,
    measures: spec.measures,
    limit,
    limitText: formatLimit(spec, limit),
  };
}

export function noData(spec: LimitSpec, limit: LimitValue, reason: string): LimitResult {
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
