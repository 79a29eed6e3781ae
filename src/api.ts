/**
 * `starve-probe/api`: the public API. No side effects and no dependencies:
 * safe to import in production code whether or not the probe runs. Without
 * the probe every call is a cheap no-op (one `hasSubscribers` check).
 *
 * Leases talk to the probe through named diagnostics channels (see
 * leases/channels.ts and docs/leases.md), so the probe and this module need
 * not be the same copy of starve-probe, and any library can publish the
 * same messages without depending on us.
 */
import { channel, type Channel } from 'node:diagnostics_channel';
import { DURATION_FORM, parseDurationMs } from './config/duration.js';
import { InvalidOptionError } from './errors.js';
import {
  LEASE_CHANNEL,
  LEASE_END_CHANNEL,
  RENEWAL_CHANNEL,
  type LeaseMessage,
  type RenewalMessage,
} from './leases/channels.js';

export const API_VERSION = 1;

export { LEASE_CHANNEL, LEASE_END_CHANNEL, RENEWAL_CHANNEL };
export type { LeaseMessage, RenewalMessage };

/** True when the probe is running in this process. */
export function probeActive(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('starve-probe.loaded')] === true;
}

export interface LeaseOptions {
  /** How long the lease lives without a renewal: `'30s'`, `'250ms'` or milliseconds. */
  ttl: string | number;
  /** How often it is meant to be renewed; lets the probe measure how late a renewal started. */
  every?: string | number;
}

export interface Lease {
  /** Runs one renewal and times it; returns what `fn` returns, rethrows what it throws. */
  renew<T>(fn: () => T): T;
  /** A renewal that happened elsewhere has just succeeded. */
  renewed(): void;
  /** The lease was released: stop tracking it. */
  end(): void;
}

let channels: { lease: Channel; renewal: Channel; end: Channel } | undefined;

function getChannels(): { lease: Channel; renewal: Channel; end: Channel } {
  channels ??= {
    lease: channel(LEASE_CHANNEL),
    renewal: channel(RENEWAL_CHANNEL),
    end: channel(LEASE_END_CHANNEL),
  };
  return channels;
}

function durationOption(field: string, value: unknown): number {
  const parsable = typeof value === 'string' || typeof value === 'number';
  const ms = parsable ? parseDurationMs(value) : undefined;
  if (ms === undefined || ms <= 0) {
    throw new InvalidOptionError(
      `lease option ${field} must be ${DURATION_FORM}, above zero; got ${shown(value)}`,
    );
  }
  return ms;
}

/**
 * Declares a lease and counts it as acquired now: its first deadline is
 * now + ttl. Throws ERR_STARVE_PROBE_INVALID_OPTION for a bad name, ttl or
 * every, whether or not the probe runs, so a mistake shows up in tests.
 */
export function lease(name: string, options: LeaseOptions): Lease {
  if (typeof name !== 'string' || name === '') {
    throw new InvalidOptionError(`lease name must be a non-empty string; got ${shown(name)}`);
  }
  const ttlMs = durationOption('ttl', options?.ttl);
  const everyMs = options?.every === undefined ? undefined : durationOption('every', options.every);
  const c = getChannels();
  let ended = false;

  if (c.lease.hasSubscribers) {
    const every = everyMs === undefined ? {} : { everyMs };
    const message: LeaseMessage = { lease: name, ttlMs, ...every };
    c.lease.publish(message);
  }

  const publish = (ok: boolean, ioMs: number, error?: unknown): void => {
    const message: RenewalMessage = {
      lease: name, ok, ioMs, ttlMs,
      ...(everyMs === undefined ? {} : { everyMs }),
      ...(ok ? {} : { error: describe(error) }),
    };
    c.renewal.publish(message);
  };

  return {
    renew<T>(fn: () => T): T {
      if (ended || !c.renewal.hasSubscribers) return fn();
      const startMs = performance.now();
      let result: T;
      try {
        result = fn();
      } catch (error) {
        publish(false, performance.now() - startMs, error);
        throw error;
      }
      if (!isThenable(result)) {
        publish(true, performance.now() - startMs);
        return result;
      }
      return result.then(
        (value) => {
          publish(true, performance.now() - startMs);
          return value;
        },
        (error: unknown) => {
          publish(false, performance.now() - startMs, error);
          throw error;
        },
      ) as T;
    },
    renewed(): void {
      if (!ended && c.renewal.hasSubscribers) publish(true, 0);
    },
    end(): void {
      if (ended) return;
      ended = true;
      if (c.end.hasSubscribers) c.end.publish({ lease: name });
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function';
}

function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
