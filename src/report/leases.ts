import { formatMs } from '../config/duration.js';
import type {
  AnyEvent,
  BlockEvent,
  LeaseEvent,
  LeaseExpiredEvent,
  LeaseSummary,
  RenewalEvent,
} from '../record/events.js';
import { shortSite } from './paths.js';

/**
 * The leases part of `starve-probe report`: a table, one sentence per
 * expiry, and a sentence for each lease whose renewals were slow because of
 * I/O rather than the event loop (the tool must not blame the loop for a
 * slow network).
 */

export interface LeaseReportInput {
  leases: LeaseSummary[];
  /** lease, renewal and lease-expired events, in recording order. */
  leaseEvents: AnyEvent[];
  blocks: BlockEvent[];
  thresholdMs: number | null;
}

/** I/O counts as the cause when it used at least this share of the TTL. */
const IO_SHARE_OF_TTL = 0.25;

export function renderLeases(input: LeaseReportInput, cwd: string): string[] {
  if (input.leases.length === 0) return [];
  const out = ['', 'Leases'];
  const rows = input.leases.map((l) => [
    l.lease,
    formatMs(l.ttlMs),
    l.failures > 0 ? `${l.renewals} (${l.failures} failed)` : String(l.renewals),
    String(l.expiries),
    formatMs(l.worstWaitMs),
    formatMs(l.worstMarginMs),
    `${l.budgetMs === null ? 'unknown' : formatMs(l.budgetMs)} / ` +
      (l.longestBlockMs > 0 ? formatMs(l.longestBlockMs) : 'none'),
  ]);
  const header = ['lease', 'TTL', 'renewals', 'expiries', 'worst wait', 'worst margin', 'budget / longest block'];
  out.push(...table(header, rows));
  for (const l of input.leases) {
    if (l.budgetMs !== null || !l.budgetReason) continue;
    out.push(`  ${l.lease}: no starvation budget, ${l.budgetReason}.`);
  }
  const sentences = [
    ...expirySentences(input, cwd),
    ...input.leases.flatMap((l) => ioSentence(l, input.thresholdMs)),
    ...input.leases.flatMap(budgetSentence),
  ];
  if (sentences.length > 0) out.push('', ...sentences.map((s) => `  ${s}`));
  return out;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (cell: string, i: number): string =>
    i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0);
  const line = (cells: string[]): string => '  ' + cells.map(pad).join('  ');
  return [line(header), ...rows.map(line)];
}

function expirySentences(input: LeaseReportInput, cwd: string): string[] {
  const leases = new Map(input.leases.map((l) => [l.lease, l]));
  const known = new Map<string, LeaseEvent>();
  const renewals: RenewalEvent[] = [];
  const sentences: string[] = [];
  for (const event of input.leaseEvents) {
    const name = (event as LeaseEvent).lease;
    if (event.type === 'lease' && !known.has(name)) known.set(name, event as LeaseEvent);
    if (event.type === 'renewal') renewals.push(event as RenewalEvent);
  }
  for (const event of input.leaseEvents) {
    if (event.type !== 'lease-expired') continue;
    const expiry = event as LeaseExpiredEvent;
    const summary = leases.get(expiry.lease);
    const own = renewals.filter((r) => r.lease === expiry.lease);
    const head = `lease ${expiry.lease} (TTL ${formatMs(expiry.ttlMs)}) expired`;
    if (expiry.duringBlock) {
      const due = duePart(expiry, own, known.get(expiry.lease), summary, input.blocks);
      sentences.push(`${head} ${blockPart(expiry, input.blocks, cwd)}${due}.`);
    } else {
      sentences.push(`${head} ${freeLoopPart(expiry, own)}.`);
    }
  }
  return sentences;
}

function blockPart(expiry: LeaseExpiredEvent, blocks: BlockEvent[], cwd: string): string {
  const block = blocks.find((b) => b.id === expiry.blockId);
  const where = expiry.site ? ` in ${shortSite(expiry.site, cwd)}` : ' (no stack could be taken)';
  return block
    ? `during a ${formatMs(block.durationMs)} block${where}`
    : `during a block${where} that was still going on when the recording ended`;
}

function duePart(
  expiry: LeaseExpiredEvent,
  renewals: RenewalEvent[],
  known: LeaseEvent | undefined,
  summary: LeaseSummary | undefined,
  blocks: BlockEvent[],
): string {
  const block = blocks.find((b) => b.id === expiry.blockId);
  const everyMs = summary?.everyMs ?? null;
  if (!block || everyMs === null) return '';
  const lastOk = renewals.filter((r) => r.ok && r.time <= expiry.time).at(-1)?.time ?? known?.time;
  if (lastOk === undefined) return '';
  const intoBlockMs = lastOk + everyMs - block.time;
  return intoBlockMs >= 0
    ? `; its renewal was due ${formatMs(intoBlockMs)} into the block ` +
      'and could not start until the block ended'
    : `; its renewal was due ${formatMs(-intoBlockMs)} before the block began`;
}

function freeLoopPart(expiry: LeaseExpiredEvent, renewals: RenewalEvent[]): string {
  const inFlight = renewals.find((r) => r.time - r.ioMs <= expiry.time && r.time >= expiry.time);
  if (inFlight) {
    const waitingMs = expiry.time - (inFlight.time - inFlight.ioMs);
    return `with the event loop free, while its renewal had been waiting on I/O for ` +
      `${formatMs(waitingMs)} (it started ${formatMs(inFlight.waitMs)} late ` +
      `and took ${formatMs(inFlight.ioMs)} in all): ` +
      'look at the network or the lease service, not at the event loop';
  }
  const last = renewals.filter((r) => r.time <= expiry.time).at(-1);
  return last
    ? 'with the event loop free and no renewal in flight; the last one settled ' +
      `${formatMs(expiry.time - last.time)} before: check that whatever renews it is still running`
    : 'with the event loop free and no renewal ever seen: ' +
      'check that its renewals are declared and running';
}

/** Renewals slow because of I/O while the loop was free. */
function ioSentence(l: LeaseSummary, thresholdMs: number | null): string[] {
  if (l.ioP99Ms === null || l.worstWaitMs === null) return [];
  const loopFree = l.worstWaitMs < (thresholdMs ?? 100);
  const ioHeavy = l.ioP99Ms >= IO_SHARE_OF_TTL * l.ttlMs;
  if (!loopFree || !ioHeavy) return [];
  return [
    `renewals of ${l.lease} were slow because of I/O, not the event loop: their I/O took up to ` +
    `${formatMs(l.ioP99Ms)} (p99) against a TTL of ${formatMs(l.ttlMs)}, while the longest wait for ` +
    `the loop was ${formatMs(l.worstWaitMs)}; look at the network or the lease service.`,
  ];
}

/** A budget too small for the blocks seen, or for any block at all. */
function budgetSentence(l: LeaseSummary): string[] {
  if (l.budgetMs === null || l.everyMs === null) return [];
  const parts = `TTL ${formatMs(l.ttlMs)} − renewal every ${formatMs(l.everyMs)} − ` +
    `p99 renewal I/O ${formatMs(l.ioP99Ms)}`;
  if (l.budgetMs < 0) {
    return [
      `${l.lease} survives no block at all (${parts} = ${formatMs(l.budgetMs)}): its renewal ` +
      'interval and I/O alone use up its TTL; make renewals faster or more frequent, or ask for ' +
      'a longer TTL.',
    ];
  }
  if (l.longestBlockMs <= l.budgetMs) return [];
  return [
    `${l.lease} survives blocks of at most ${formatMs(l.budgetMs)} (${parts}), but the longest ` +
    `block while it was held lasted ${formatMs(l.longestBlockMs)}: move that work off the main ` +
    'thread (a worker thread) or split it with yields, or renew more often.',
  ];
}
