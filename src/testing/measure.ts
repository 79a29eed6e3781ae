import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Worker } from 'node:worker_threads';
import { heartbeatMsFor, startHeartbeat } from '../probe/heartbeat.js';
import {
  EXIT, EXIT_REQUESTED, LAST_BEAT_F64, SEQ, SHARED_BYTES, viewsOf, type SharedViews,
} from '../probe/shared.js';
import { monoMs } from '../util/clock.js';
import type { WatchedBlock, WatcherData } from './watcher.js';
import { LEASE_CHANNEL, LEASE_END_CHANNEL, RENEWAL_CHANNEL } from '../leases/channels.js';
import { MarginTracker } from './margins.js';

/**
 * measureStarvation: a heartbeat on the calling thread and a watcher
 * thread that times each block from outside (watcher.ts), the probe's
 * method without stacks or a recording, for the length of one function.
 * Leases renewed meanwhile (through `starve-probe/api`, or anything that
 * publishes on its channels) give their margins (margins.ts).
 */

export { RENEWAL_CHANNEL };

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

/** Where the watcher's entry is built; the CommonJS build (entry-cjs.ts) sets it from __dirname. */
export const watcherLocation: { url: URL | null } = { url: null };

const DEFAULT_THRESHOLD_MS = 50;
const MIN_THRESHOLD_MS = 10;

export async function measureStarvation<T>(
  fn: () => T | Promise<T>,
  options: MeasureOptions = {},
): Promise<StarvationResult<T>> {
  const thresholdMs = options.thresholdMs ?? DEFAULT_THRESHOLD_MS;
  if (!Number.isFinite(thresholdMs) || thresholdMs < MIN_THRESHOLD_MS) {
    throw new RangeError('measureStarvation: thresholdMs must be a number of milliseconds ' +
      `of at least ${MIN_THRESHOLD_MS}; got ${String(thresholdMs)}`);
  }
  const sab = new SharedArrayBuffer(SHARED_BYTES);
  const views = viewsOf(sab);
  const stopHeartbeat = startHeartbeat(views, heartbeatMsFor(thresholdMs));
  const data: WatcherData = { sab, thresholdMs };
  // No execArgv: a loader or preload of the test runner has no business in the watcher.
  const url = watcherLocation.url ?? new URL('./watcher.js', import.meta.url);
  const worker = new Worker(url, { workerData: data, execArgv: [] });
  const messages = collect(worker);
  // Blocks are missed until the watcher runs: wait for it.
  await messages.next('ready');

  const margins = new MarginTracker(() => performance.now());
  const onLease = (message: unknown): void => margins.leaseAcquired(message);
  const onRenewal = (message: unknown): void => margins.renewalSettled(message);
  const onEnd = (message: unknown): void => margins.leaseEnded(message);
  subscribe(LEASE_CHANNEL, onLease);
  subscribe(RENEWAL_CHANNEL, onRenewal);
  subscribe(LEASE_END_CHANNEL, onEnd);
  const startedAt = performance.now();
  let value: T;
  try {
    value = await fn();
  } catch (error) {
    await stopWatcher(views, worker);
    throw error;
  } finally {
    unsubscribe(LEASE_CHANNEL, onLease);
    unsubscribe(RENEWAL_CHANNEL, onRenewal);
    unsubscribe(LEASE_END_CHANNEL, onEnd);
    stopHeartbeat();
  }
  const elapsedMs = performance.now() - startedAt;
  const pending = messages.next('blocks');
  await stopWatcher(views, worker, false);
  const { blocks } = (await pending) as { blocks: WatchedBlock[] };
  await worker.terminate();
  return resultOf(value, thresholdMs, elapsedMs, blocks, margins.renewals);
}

function resultOf<T>(
  value: T, thresholdMs: number, elapsedMs: number, blocks: WatchedBlock[], renewals: LeaseMargin[],
): StarvationResult<T> {
  const durations = blocks.map((b) => b.durationMs);
  let minLeaseMargin: LeaseMargin | null = null;
  for (const r of renewals) {
    if (!minLeaseMargin || r.marginMs < minLeaseMargin.marginMs) minLeaseMargin = r;
  }
  return {
    value,
    thresholdMs,
    elapsedMs: round(elapsedMs),
    blocks: durations.length,
    maxBlockMs: durations.length ? Math.max(...durations) : 0,
    totalBlockedMs: round(durations.reduce((a, b) => a + b, 0)),
    blockDurationsMs: durations,
    renewals,
    minLeaseMargin,
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

interface Waiter {
  tag: string;
  resolve: (message: unknown) => void;
  reject: (error: Error) => void;
}

/** Messages of the watcher, awaited by their tag; a watcher that dies rejects. */
function collect(worker: Worker): { next(tag: string): Promise<unknown> } {
  const seen: Array<{ t: string }> = [];
  const waiting: Waiter[] = [];
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
  worker.on('exit', (code) => {
    die(new Error(`measureStarvation: the watcher thread exited (code ${code})`));
  });
  return {
    next(tag) {
      const i = seen.findIndex((m) => m.t === tag);
      if (i !== -1) return Promise.resolve(seen.splice(i, 1)[0]);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ tag, resolve, reject }));
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
