import type { Clock } from '../util/clock.js';
import { LAST_BEAT_F64, type SharedViews } from '../probe/shared.js';
import type { BlockMonitor, Emit } from '../watchdog/blocks.js';
import type { FindingsPrinter } from '../watchdog/findings.js';
import { formatMs } from '../config/duration.js';
import { shortSite } from '../report/paths.js';
import { STACK_WAIT_MS } from '../watchdog/blocks.js';
import type { LeaseMessageItem, LeaseToWatchdog } from './messages.js';
import { LeaseSlots } from './slots.js';
import { LeaseWatch } from './watch.js';

/**
 * Wires leases into the watchdog: the slot reader, the block monitor's
 * listeners, and the messages from the main thread (a lease became known;
 * a renewal or a late timer to record).
 */
export interface LeaseWatchdogOptions {
  sab: SharedArrayBuffer;
  views: SharedViews;
  clock: Clock;
  blocks: BlockMonitor;
  emit: Emit;
  riskFraction: number;
  heartbeatMs: number;
  thresholdMs: number;
  findings: FindingsPrinter;
  cwd: string;
}

export function attachLeaseWatch(o: LeaseWatchdogOptions): {
  onMessage(message: { t: string }): boolean;
  close(): void;
} {
  const slots = new LeaseSlots(o.sab);
  const watch = new LeaseWatch({
    read: (slot) => slots.read(slot),
    clock: o.clock,
    riskFraction: o.riskFraction,
    currentBlock: () => {
      const block = o.blocks.current;
      if (!block) return null;
      const kind = o.blocks.provisionalKind(block, o.clock.monoMs());
      return kind === undefined ? block : { ...block, kind };
    },
    emit: (event, urgent) => {
      o.emit(event, urgent);
      if (event.type === 'lease-expired') say(event);
    },
    schedule: (fn, delayMs) => {
      const timer = setTimeout(fn, delayMs);
      return { cancel: () => clearTimeout(timer) };
    },
    stackWaitMs: STACK_WAIT_MS,
    lastBeatMono: () => o.views.f64[LAST_BEAT_F64] ?? 0,
    heartbeatMs: o.heartbeatMs,
    thresholdMs: o.thresholdMs,
  });
  // The finding a user must see at once, on stderr, while the block lasts.
  const say = (event: { [field: string]: unknown }): void => {
    const ttl = formatMs(event.ttlMs as number);
    const head = `lease ${String(event.lease)} (TTL ${ttl}) has expired`;
    const where = typeof event.site === 'string' ? ` in ${shortSite(event.site, o.cwd)}` : '';
    const why = event.duringBlock
      ? `: the main thread is blocked${where}`
      : ' with the main thread free (slow or missing renewal)';
    o.findings.line(head + why, o.clock.monoMs(), true);
  };
  o.blocks.listeners.push((_block, phase) => {
    if (phase !== 'end') watch.blockChanged();
  });
  /** Writes one item; true when it was a renewal. */
  const record = (item: LeaseMessageItem): boolean => {
    if (item.t === 'lease-known') {
      const { t: _t, slot: _slot, generation: _generation, atMono, everyMs, ...fields } = item;
      const every = everyMs === null ? {} : { everyMs };
      o.emit({ type: 'lease', time: o.clock.epochMs(atMono), ...fields, ...every });
      watch.known(item);
      return false;
    }
    o.emit({ ...item.event, time: o.clock.epochMs(item.atMono) });
    return item.event.type === 'renewal';
  };
  return {
    onMessage(raw) {
      const message = raw as LeaseToWatchdog;
      if (message.t !== 'lease-batch') return false;
      let renewed = false;
      for (const item of message.items) renewed = record(item) || renewed;
      // A renewal moved a deadline: sleep until the new earliest one.
      if (renewed) watch.check();
      return true;
    },
    close: () => watch.close(),
  };
}
