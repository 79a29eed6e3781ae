/**
 * What the main thread tells the watchdog about leases (by postMessage;
 * the deadlines themselves travel through the shared slots).
 */

export type LeaseSource = 'api' | 'http' | 'timer';

/** A lease became known and owns `slot` from now on. */
export interface LeaseKnownMessage {
  t: 'lease-known';
  slot: number;
  /** The slot's generation for this lease (slots are reused). */
  generation: number;
  lease: string;
  ttlMs: number;
  everyMs: number | null;
  source: LeaseSource;
  atMono: number;
}

/** An event measured on the main thread, for the watchdog to record. */
export interface LeaseEventMessage {
  t: 'lease-event';
  atMono: number;
  event:
    | { type: 'renewal' | 'timer-late'; [field: string]: unknown }
    | { type: 'timer-late'; site: string | null; periodMs: number; lateMs: number; lease?: string };
}

export type LeaseMessageItem = LeaseKnownMessage | LeaseEventMessage;

/**
 * What actually crosses the thread boundary: the items of one turn of the
 * main thread's loop, posted together, so a burst of renewals costs one
 * postMessage. The deadlines never wait for it (they are in shared memory).
 */
export interface LeaseBatchMessage {
  t: 'lease-batch';
  items: LeaseMessageItem[];
}

export type LeaseToWatchdog = LeaseBatchMessage;
