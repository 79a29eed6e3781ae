import { formatBytes, formatMs } from '../config/duration.js';
import type { BlockKind, Evidence } from './kind.js';
import { syncApiByName } from './sync-apis.js';

/**
 * One sentence per finding, in the user's terms: what ran, where, for how
 * long, and the change that fixes it. Chosen by kind and evidence; every
 * number in it was measured (or the sentence says it could not be).
 */

export interface BlockFacts {
  readonly kind: BlockKind;
  readonly evidence: Evidence;
  readonly durationMs: number;
  readonly gcMs: number | null;
  /** The site as users read it (path relative to their project). */
  readonly site: string | null;
  readonly task?: string | null;
  /** The package the site is in, or the application called into. */
  readonly package?: string | null;
  readonly thresholdMs: number;
  readonly threadId?: number;
  readonly heap?: { readonly usedBytes: number; readonly limitBytes: number | null } | null;
}

/** Longest slice of work between two yields that the advice aims at. */
export const SLICE_TARGET_MS = 10;

/** Advice for libraries that are often the cause, by package name. */
const PACKAGE_ADVICE: Record<string, string> = {
  bcryptjs:
    'use its asynchronous form (bcrypt.compare/hash, which yields between rounds), ' +
    'the native bcrypt package (hashes on the libuv thread pool), or a worker thread',
};

export function recommend(f: BlockFacts): string {
  switch (f.kind) {
    case 'gc': return gcAdvice(f);
    case 'sync-io': return syncIoAdvice(f);
    case 'microtasks': return microtaskAdvice(f);
    case 'cpu': return cpuAdvice(f);
    case 'unknown': return unknownAdvice(f);
  }
}

function where(f: BlockFacts): string {
  const named = f.task && f.site?.startsWith(`${f.task.replace(/^async /, '').split(' ')[0]} `);
  const task = f.task && !named ? ` in ${f.task}` : '';
  return f.site ? `${f.site}${task}` : `an unknown site${task}`;
}

function thread(f: BlockFacts): string {
  return f.threadId === undefined ? 'the main thread' : `worker thread ${f.threadId}`;
}

function gcAdvice(f: BlockFacts): string {
  const gc = formatMs(f.gcMs ?? 0);
  const heap = f.heap
    ? `, with the heap at ${formatBytes(f.heap.usedBytes)}` +
      (f.heap.limitBytes ? ` of its ${formatBytes(f.heap.limitBytes)} limit` : '')
    : ' (no heap figure yet: the block came before the first sample)';
  // A pause often lands in Node's own code that runs after a collection;
  // that is not where the application allocates.
  const around = f.site && !f.site.includes('(node:') ? `around ${where(f)} ` : '';
  return `Garbage collection paused ${thread(f)} for ${gc} ` +
    `of this ${formatMs(f.durationMs)} block${heap}: ` +
    `allocate less ${around}(reuse buffers and objects, keep fewer live), ` +
    'or give the heap room with --max-old-space-size (old generation) ' +
    'or --max-semi-space-size (short-lived objects).';
}

function syncIoAdvice(f: BlockFacts): string {
  const name = String(f.evidence.api ?? 'a synchronous API');
  const api = syncApiByName(name);
  const instead = api ? api.asyncVariant : 'its asynchronous variant';
  return `${name} held ${thread(f)} for ${formatMs(f.durationMs)} at ${where(f)}: ` +
    `call ${instead} instead and await it, so the loop keeps serving while it works.`;
}

function microtaskAdvice(f: BlockFacts): string {
  return `Promise continuations at ${where(f)} kept ${thread(f)} busy ` +
    `for ${formatMs(f.durationMs)} without reaching a timer or socket ` +
    `(${String(f.evidence.samples)} stack samples, all short continuations): ` +
    'bound the concurrency of the Promise.all (work in batches, e.g. of 100) ' +
    'and yield to the loop between batches with await setImmediate() ' +
    'from node:timers/promises.';
}

function cpuAdvice(f: BlockFacts): string {
  const ran = `${where(f)} ran JavaScript on ${thread(f)} for ${formatMs(f.durationMs)}`;
  if (f.evidence.rule === 'cpu-builtin-in-source') {
    return `One ${String(f.evidence.api)} call at ${where(f)} held ${thread(f)} ` +
      `for ${formatMs(f.durationMs)}: a single call cannot be split with yields, ` +
      'so run it in a worker thread (a pool such as piscina) ' +
      'or handle the data as a stream, in smaller pieces.';
  }
  const pkg = f.package ? PACKAGE_ADVICE[f.package] : undefined;
  if (f.package) {
    const fix = pkg ?? 'move that call to a worker thread (a pool such as piscina) ' +
      'or call it with less input at a time';
    return `${ran}, inside the ${f.package} package: ${fix}.`;
  }
  return `${ran}: move this work to a worker thread (a pool such as piscina), ` +
    'or split it and yield (await setImmediate() or scheduler.yield()) between slices — ' +
    `${slicesAdvice(f.durationMs)}.`;
}

/**
 * How often to yield, estimated from the block's measured length: slices
 * of SLICE_TARGET_MS. The probe sees time, not items, so N is given as a
 * share of the work the block did; the sentence says so.
 */
export function slicesAdvice(durationMs: number): string {
  const slices = Math.max(2, Math.ceil(durationMs / SLICE_TARGET_MS));
  return `this block took ${formatMs(durationMs)}, so at least ${slices} slices of ` +
    `${SLICE_TARGET_MS} ms: if it handles M items, yield every M/${slices} items ` +
    '(the probe measures time, not items, so it cannot count M)';
}

function unknownAdvice(f: BlockFacts): string {
  const reason = String(f.evidence.reason ?? 'no stack was taken');
  const gc = f.gcMs === null
    ? 'the GC time is not known'
    : `GC explains only ${formatMs(f.gcMs)} of it`;
  // The inspector reaches only the main thread: --profile cannot help a worker.
  const next = f.threadId === undefined
    ? 'run with --profile to record a CPU profile of the next such block'
    : 'the probe cannot take a worker thread\'s stack, so look at what that worker runs ' +
      '(its own --cpu-prof, or the same code run on the main thread under the probe)';
  return `${capitalize(thread(f))} was blocked for ${formatMs(f.durationMs)} ` +
    'but the probe cannot say by what ' +
    `(${reason}; ${gc}): ${next}.`;
}

export interface SaturationFacts {
  readonly periodMs: number;
  readonly elu: number;
  readonly thresholdMs: number;
  readonly sites: readonly string[];
}

export function recommendSaturation(f: SaturationFacts): string {
  const sites = f.sites.length > 0 ? ` (busiest known sites: ${f.sites.join(', ')})` : '';
  return `The main thread was busy ${Math.round(f.elu * 100)} % of the time ` +
    `for ${formatMs(f.periodMs)} with no single block over ${formatMs(f.thresholdMs)}: ` +
    'that is more work than one thread can do, ' +
    `so shed load, run more processes (or worker threads), or do less work per message${sites}.`;
}

/** The advice for a lease put at risk by a block (used by the lease part). */
export function recommendLease(f: { blockMs: number; budgetMs: number; ttlMs: number }): string {
  return `A ${formatMs(f.blockMs)} block is longer than the lease's starvation budget of ` +
    `${formatMs(f.budgetMs)} (TTL ${formatMs(f.ttlMs)}): make the block shorter than the budget ` +
    'with the fix for its kind, or make the TTL longer.';
}

/**
 * The advice carried by `lease-expired` and `lease-risk`, written while the
 * block is still under way: its length is known only so far, and the
 * budget without the renewal's I/O (that needs renewals the summary sees).
 */
export function recommendLeaseInBlock(f: {
  blockedMs: number;
  ttlMs: number;
  everyMs: number | null;
  kind: string | undefined;
}): string {
  const budget = f.everyMs === null
    ? 'its starvation budget (TTL minus the renewal interval minus the renewal\'s I/O)'
    : `its starvation budget (TTL ${formatMs(f.ttlMs)} minus the renewal interval ` +
      `${formatMs(f.everyMs)}: at most ${formatMs(Math.max(0, f.ttlMs - f.everyMs))}, ` +
      'less the renewal\'s own I/O)';
  const kind = f.kind && f.kind !== 'unknown' ? ` (a ${f.kind} block so far: see its fix in the block event)` : '';
  return `The main thread had been blocked for ${formatMs(f.blockedMs)}${kind}; ` +
    `make such blocks shorter than ${budget}, or make the TTL longer.`;
}

/** A lease that expired while the main thread was free: the loop is not to blame. */
export const LEASE_NOT_LOOP_ADVICE =
  'The main thread was not blocked when the lease expired: the renewal was slow or missing ' +
  '(look at its renewal events: a large ioMs is the network or the server, a renewal ' +
  'never sent is the application\'s own logic).';

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
