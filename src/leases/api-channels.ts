import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  LEASE_CHANNEL,
  LEASE_END_CHANNEL,
  RENEWAL_CHANNEL,
  type LeaseEndMessage,
  type LeaseMessage,
  type RenewalMessage,
} from './channels.js';
import type { LeaseTracker } from './tracker.js';

/**
 * The probe's side of the lease channels: messages from `starve-probe/api`
 * or from any library that publishes the same shapes. A message that does
 * not have the documented shape is ignored (NODE_DEBUG=starve-probe says so).
 */
export function traceApiLeases(
  tracker: LeaseTracker,
  nowMono: () => number,
  debug: (format: string, ...args: unknown[]) => void,
): () => void {
  const onLease = (m: unknown): void => {
    const message = m as Partial<LeaseMessage>;
    if (!validName(message.lease) || !validMs(message.ttlMs)) {
      return debug('ignored a malformed lease message');
    }
    const everyMs = validMs(message.everyMs) ? message.everyMs : null;
    tracker.end(message.lease);
    tracker.declare(message.lease, message.ttlMs, everyMs, 'api', nowMono(), true);
  };
  const onRenewal = (m: unknown): void => {
    const message = m as Partial<RenewalMessage>;
    if (!validName(message.lease) || typeof message.ok !== 'boolean') {
      return debug('ignored a malformed renewal message');
    }
    const settleMono = nowMono();
    const ioMs = typeof message.ioMs === 'number' && message.ioMs >= 0 ? message.ioMs : 0;
    if (!tracker.get(message.lease) && validMs(message.ttlMs)) {
      const everyMs = validMs(message.everyMs) ? message.everyMs : null;
      tracker.declare(message.lease, message.ttlMs, everyMs, 'api', settleMono - ioMs, false);
    }
    tracker.renewal(message.lease, {
      startMono: settleMono - ioMs,
      settleMono,
      ok: message.ok,
      ...(message.ok ? {} : { error: errorOf(message) }),
    });
  };
  const onEnd = (m: unknown): void => {
    const message = m as Partial<LeaseEndMessage>;
    if (validName(message.lease)) tracker.end(message.lease);
  };
  const handlers: Array<[string, (m: unknown) => void]> = [
    [LEASE_CHANNEL, guard(onLease)],
    [RENEWAL_CHANNEL, guard(onRenewal)],
    [LEASE_END_CHANNEL, guard(onEnd)],
  ];
  for (const [name, handler] of handlers) subscribe(name, handler);
  return () => {
    for (const [name, handler] of handlers) unsubscribe(name, handler);
  };
}

function guard(handler: (m: unknown) => void): (m: unknown) => void {
  return (m) => {
    try {
      handler(m);
    } catch {
      // Publishing must never throw into the publisher.
    }
  };
}

function errorOf(message: Partial<RenewalMessage>): string {
  return typeof message.error === 'string' ? message.error : 'failed';
}

function validName(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function validMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
