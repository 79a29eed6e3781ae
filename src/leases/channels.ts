/**
 * The diagnostics channels between code that holds leases and the probe.
 * Anyone may publish on them (a library does not need starve-probe to do
 * so); the probe subscribes when it runs. docs/leases.md describes each
 * message; keep it in step.
 */

/** A lease was acquired: `{ lease, ttlMs, everyMs? }`. */
export const LEASE_CHANNEL = 'starve-probe:lease';
/** A renewal settled: `{ lease, ok, ioMs?, error?, ttlMs? }`. */
export const RENEWAL_CHANNEL = 'starve-probe:renewal';
/** A lease was released: `{ lease }`. */
export const LEASE_END_CHANNEL = 'starve-probe:lease-end';

export interface LeaseMessage {
  lease: string;
  ttlMs: number;
  everyMs?: number;
}

export interface RenewalMessage {
  lease: string;
  ok: boolean;
  /** From the start of the renewal to its settling; 0 when unknown. */
  ioMs?: number;
  error?: string;
  /** Lets a renewal declare its lease if no `lease` message came first. */
  ttlMs?: number;
  everyMs?: number;
}

export interface LeaseEndMessage {
  lease: string;
}
