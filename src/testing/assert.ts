import { AssertionError } from 'node:assert';
import { DURATION_FORM, formatMs, parseDurationMs } from '../config/duration.js';
import { RENEWAL_CHANNEL, type LeaseMargin, type StarvationResult } from './measure.js';

/**
 * assertStarvation: limits on a measureStarvation result. A broken limit
 * throws an AssertionError whose message names the measured value and the
 * limit, with `actual` and `expected` set for test runners that show them.
 */

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

export function assertStarvation(result: StarvationResult, limits: StarvationLimits): void {
  const over = `over ${formatMs(result.thresholdMs)}`;
  if (limits.maxBlock !== undefined) {
    const limitMs = durationOf(limits.maxBlock, 'maxBlock');
    if (result.maxBlockMs > limitMs) {
      fail(`the longest block lasted ${formatMs(result.maxBlockMs)}, over the limit of ` +
        `${formatMs(limitMs)} (${result.blocks} block(s) ${over})`, result.maxBlockMs, limitMs);
    }
  }
  if (limits.maxBlocked !== undefined) {
    const limitMs = durationOf(limits.maxBlocked, 'maxBlocked');
    if (result.totalBlockedMs > limitMs) {
      fail(`the thread was blocked for ${formatMs(result.totalBlockedMs)} in all, over the limit ` +
        `of ${formatMs(limitMs)}`, result.totalBlockedMs, limitMs);
    }
  }
  if (limits.maxBlocks !== undefined && result.blocks > limits.maxBlocks) {
    fail(`${result.blocks} block(s) went ${over}, over the limit of ${limits.maxBlocks}`,
      result.blocks, limits.maxBlocks);
  }
  if (limits.minLeaseMargin !== undefined) checkLeaseMargin(result, limits.minLeaseMargin);
}

function checkLeaseMargin(result: StarvationResult, limit: string | number): void {
  if (result.renewals.length === 0) {
    fail(`no lease renewal was seen on the ${RENEWAL_CHANNEL} channel, so the lease margin ` +
      'cannot be checked', null, limit);
  }
  const pct = typeof limit === 'string' ? /^\s*(\d+(?:\.\d+)?)%\s*$/.exec(limit) : null;
  const ratio = pct ? Number(pct[1]) / 100 : null;
  const fixedMs = ratio === null ? durationOf(limit, 'minLeaseMargin') : 0;
  const neededMs = (r: LeaseMargin): number => (ratio === null ? fixedMs : ratio * r.ttlMs);
  const short = result.renewals.find((r) => r.marginMs < neededMs(r));
  if (!short) return;
  const shownLimit = ratio === null ? formatMs(fixedMs) : `${pct?.[1]} % of the TTL`;
  fail(`lease "${short.lease}" had ${formatMs(short.marginMs)} of its ${formatMs(short.ttlMs)} ` +
    `TTL left at a renewal, under the limit of ${shownLimit}`, short.marginMs, limit);
}

function durationOf(value: string | number, name: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    const got = JSON.stringify(value);
    throw new TypeError(`assertStarvation: ${name} must be ${DURATION_FORM}; got ${got}`);
  }
  return ms;
}

function fail(message: string, actual: unknown, expected: unknown): never {
  const operator = 'assertStarvation';
  throw new AssertionError({ message: `starvation: ${message}`, actual, expected, operator });
}
