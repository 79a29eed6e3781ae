/**
 * `starve-probe/testing`: assert on starvation inside a test (vitest,
 * node:test, any runner).
 *
 *   const result = await measureStarvation(() => handler(req), { thresholdMs: 20 });
 *   assertStarvation(result, { maxBlock: '50ms' });
 *
 * A heartbeat on the test's thread and a watcher thread that times each
 * block from outside (watcher.ts), the same method as the probe's
 * watchdog but without stacks or a recording: small enough to start per
 * test (about one worker start-up, some tens of milliseconds).
 *
 * Lease margins: while measuring, renewals published by the `lease()` API
 * on the diagnostics channel `starve-probe:renewal` (fields as the
 * `renewal` event: lease, ttlMs, ok, marginMs) are collected.
 */
import { AssertionError } from 'node:assert';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Worker } from 'node:worker_threads';
import { formatMs, parseDurationMs, DURATION_FORM } from '../config/duration.js';
import { heartbeatMsFor, startHeartbeat } from '../probe/heartbeat.js';
import { EXIT, EXIT_REQUESTED, LAST_BEAT_F64, SEQ, SHARED_BYTES, viewsOf, type SharedViews } from '../probe/shared.js';
import { monoMs } from '../util/clock.js';
import type { WatchedBlock, WatcherData } from './watcher.js';

export const RENEWAL_CHANNEL = 'starve-probe:renewal';

export interface MeasureOptions {
  /** A block is a heartbeat this much overdue. Default 50 ms; at least 10 ms. */
  thresholdMs?: number;
}

export interface LeaseMargin {
  lease: string;
  ttlMs: number;
  /** TTL left when the renewal settled; negative when it had already expired. */
  marginMs: number;
}

export interface StarvationResult<T = unknown> {
  /** What the measured function returned. */
  value: T;
  thresholdMs: number;
  elapsedMs: number;
  /** Number of blocks over the threshold. */
  blocks: number;
  /** 0 when there was no block. */
  maxBlockMs: number;
  totalBlockedMs: number;
  blockDurationsMs: number[];
  /** Renewals seen on the `starve-probe:renewal` channel. */
  renewals: LeaseMargin[];
  /** The smallest margin of those, or null when no lease was renewed. */
  minLeaseMargin: LeaseMargin | null;
}

const DEFAULT_THRESHOLD_MS = 50;
const MIN_THRESHOLD_MS = 10;

export async function measureStarvation<T>(
  fn: () => T | Promise<T>,
  options: MeasureOptions = {},
): Promise<StarvationResult<T>> {
  const thresholdMs = options.thresholdMs ?? DEFAULT_THRESHOLD_MS;
  if (!Number.isFinite(thresholdMs) || thresholdMs < MIN_THRESHOLD_MS) {
    throw new RangeError(`measureStarvation: thresholdMs must be a number of milliseconds of at least ${MIN_THRESHOLD_MS}; got ${String(thresholdMs)}`);
  }
  const sab = new SharedArrayBuffer(SHARED_BYTES);
  const views = viewsOf(sab);
  const stopHeartbeat = startHeartbeat(views, heartbeatMsFor(thresholdMs));
  const data: WatcherData = { sab, thresholdMs };
  const worker = new Worker(new URL('./watcher.js', import.meta.url), { workerData: data, execArgv: [] });
  const messages = collect(worker);
  await messages.next('ready');

  const renewals: LeaseMargin[] = [];
  const onRenewal = (message: unknown): void => {
    const margin = leaseMarginOf(message);
    if (margin) renewals.push(margin);
  };
  subscribe(RENEWAL_CHANNEL, onRenewal);
  const startedAt = performance.now();
  let value: T;
  try {
    value = await fn();
  } catch (error) {
    await stopWatcher(views, worker);
    throw error;
  } finally {
    unsubscribe(RENEWAL_CHANNEL, onRenewal);
    stopHeartbeat();
  }
  const elapsedMs = performance.now() - startedAt;
  const pending = messages.next('blocks');
  await stopWatcher(views, worker, false);
  const { blocks } = (await pending) as { blocks: WatchedBlock[] };
  await worker.terminate();

  const durations = blocks.map((b) => b.durationMs);
  return {
    value,
    thresholdMs,
    elapsedMs: Math.round(elapsedMs * 100) / 100,
    blocks: durations.length,
    maxBlockMs: durations.length ? Math.max(...durations) : 0,
    totalBlockedMs: Math.round(durations.reduce((a, b) => a + b, 0) * 100) / 100,
    blockDurationsMs: durations,
    renewals,
    minLeaseMargin: renewals.reduce<LeaseMargin | null>((w, r) => (!w || r.marginMs < w.marginMs ? r : w), null),
  };
}

/** A last beat closes a block still open; then the watcher is told to stop. */
async function stopWatcher(views: SharedViews, worker: Worker, terminate = true): Promise<void> {
  views.f64[LAST_BEAT_F64] = monoMs();
  Atomics.add(views.i32, SEQ, 1);
  Atomics.store(views.i32, EXIT, EXIT_REQUESTED);
  Atomics.notify(views.i32, SEQ);
  if (terminate) await worker.terminate();
}

export interface StarvationLimits {
  /** Longest block allowed: `50ms`, `0.2s`, or a number of milliseconds. */
  maxBlock?: string | number;
  /** Total blocked time allowed. */
  maxBlocked?: string | number;
  /** Number of blocks over the threshold allowed. */
  maxBlocks?: number;
  /** Smallest lease margin allowed: a duration, or a percentage of the TTL (`30%`). */
  minLeaseMargin?: string | number;
}

/** Throws an AssertionError naming the measured value and the limit it broke. */
export function assertStarvation(result: StarvationResult, limits: StarvationLimits): void {
  if (limits.maxBlock !== undefined) {
    const limitMs = durationOf(limits.maxBlock, 'maxBlock');
    if (result.maxBlockMs > limitMs) {
      fail(`the longest block lasted ${formatMs(result.maxBlockMs)}, over the limit of ${formatMs(limitMs)} (${result.blocks} block(s) over ${formatMs(result.thresholdMs)})`, result.maxBlockMs, limitMs);
    }
  }
  if (limits.maxBlocked !== undefined) {
    const limitMs = durationOf(limits.maxBlocked, 'maxBlocked');
    if (result.totalBlockedMs > limitMs) {
      fail(`the thread was blocked for ${formatMs(result.totalBlockedMs)} in all, over the limit of ${formatMs(limitMs)}`, result.totalBlockedMs, limitMs);
    }
  }
  if (limits.maxBlocks !== undefined && result.blocks > limits.maxBlocks) {
    fail(`${result.blocks} block(s) went over ${formatMs(result.thresholdMs)}, over the limit of ${limits.maxBlocks}`, result.blocks, limits.maxBlocks);
  }
  if (limits.minLeaseMargin !== undefined) checkLeaseMargin(result, limits.minLeaseMargin);
}

function checkLeaseMargin(result: StarvationResult, limit: string | number): void {
  if (result.renewals.length === 0) {
    fail(`no lease renewal was seen on the ${RENEWAL_CHANNEL} channel, so the lease margin cannot be checked`, null, limit);
  }
  const pct = typeof limit === 'string' ? /^\s*(\d+(?:\.\d+)?)%\s*$/.exec(limit) : null;
  const ratio = pct ? Number(pct[1]) / 100 : null;
  const fixedMs = ratio === null ? durationOf(limit, 'minLeaseMargin') : 0;
  const neededMs = (r: LeaseMargin): number => (ratio === null ? fixedMs : ratio * r.ttlMs);
  const short = result.renewals.find((r) => r.marginMs < neededMs(r));
  if (!short) return;
  const shownLimit = ratio === null ? formatMs(fixedMs) : `${pct?.[1]} % of the TTL`;
  fail(`lease "${short.lease}" had ${formatMs(short.marginMs)} of its ${formatMs(short.ttlMs)} TTL left at a renewal, under the limit of ${shownLimit}`, short.marginMs, limit);
}

function durationOf(value: string | number, name: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new TypeError(`assertStarvation: ${name} must be ${DURATION_FORM}; got ${JSON.stringify(value)}`);
  return ms;
}

function fail(message: string, actual: unknown, expected: unknown): never {
  throw new AssertionError({ message: `starvation: ${message}`, actual, expected, operator: 'assertStarvation' });
}

function leaseMarginOf(message: unknown): LeaseMargin | null {
  const m = message as Record<string, unknown> | null;
  if (!m || typeof m.marginMs !== 'number' || typeof m.ttlMs !== 'number') return null;
  const lease = typeof m.lease === 'string' ? m.lease : typeof (m.lease as { name?: unknown })?.name === 'string' ? (m.lease as { name: string }).name : '(unnamed)';
  return { lease, ttlMs: m.ttlMs, marginMs: m.marginMs };
}

/** Messages of the watcher, awaited by their tag; a watcher that dies rejects. */
function collect(worker: Worker): { next(tag: string): Promise<unknown> } {
  const seen: Array<{ t: string }> = [];
  const waiting: Array<{ tag: string; resolve: (m: unknown) => void; reject: (e: Error) => void }> = [];
  let failure: Error | null = null;
  worker.on('message', (message: { t: string }) => {
    const i = waiting.findIndex((w) => w.tag === message.t);
    if (i === -1) seen.push(message);
    else waiting.splice(i, 1)[0]?.resolve(message);
  });
  const die = (error: Error): void => {
    failure = error;
    for (const w of waiting.splice(0)) w.reject(error);
  };
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`measureStarvation: the watcher thread exited early (code ${code})`)));
  return {
    next(tag) {
      const i = seen.findIndex((m) => m.t === tag);
      if (i !== -1) return Promise.resolve(seen.splice(i, 1)[0]);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ tag, resolve, reject }));
    },
  };
}
