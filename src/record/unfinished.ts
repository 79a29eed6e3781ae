import { formatMs } from '../config/duration.js';
import type { AnyEvent, BaseEvent, BlockEvent, BlockKind, Frame } from './events.js';

type Loose = BaseEvent & Record<string, unknown>;

/**
 * Blocks a recording began but never finished: the process was killed (a
 * liveness probe's SIGKILL, an OOM kill) while its main thread was still
 * blocked, so no `block` event was written. From the block's `block-start`
 * and last `block-ongoing` they are rebuilt as `block` events with
 * `unfinished: true` and the length known at least, so reports and
 * `check` count them instead of reading "no blocks".
 */
export function unfinishedBlocks(all: readonly AnyEvent[]): BlockEvent[] {
  const events = all as readonly Loose[];
  const key = (e: Loose): string => `${String(e.threadId ?? 'main')}:${String(e.id)}`;
  const finished = new Set(events.filter((e) => e.type === 'block').map(key));
  const open = new Map<string, { first: Loose; blockedMs: number; lastKind: unknown }>();
  for (const event of events) {
    if (event.type !== 'block-start' && event.type !== 'block-ongoing') continue;
    if (typeof event.id !== 'number' || typeof event.blockedMs !== 'number') continue;
    if (finished.has(key(event))) continue;
    const seen = open.get(key(event));
    if (!seen) open.set(key(event), { first: event, blockedMs: event.blockedMs, lastKind: event.kind });
    else {
      seen.blockedMs = Math.max(seen.blockedMs, event.blockedMs);
      seen.lastKind = event.kind ?? seen.lastKind;
    }
  }
  return [...open.values()].map(({ first, blockedMs, lastKind }) => rebuild(first, blockedMs, lastKind));
}

function rebuild(first: Loose, blockedMs: number, lastKind: unknown): BlockEvent {
  const stack = Array.isArray(first.stack) ? (first.stack as Frame[]) : null;
  const site = typeof first.site === 'string' ? first.site : null;
  const kind: BlockKind = typeof lastKind === 'string' ? (lastKind as BlockKind) : 'unknown';
  const where = site ? ` in ${site}` : '';
  return {
    type: 'block',
    time: first.time - (first.blockedMs as number),
    pid: first.pid,
    ...(typeof first.threadId === 'number' ? { threadId: first.threadId } : {}),
    id: first.id as number,
    durationMs: blockedMs,
    gcMs: null,
    stack,
    ...(stack ? {} : { stackError: typeof first.stackError === 'string' ? first.stackError : 'no stack' }),
    site,
    kind,
    evidence: { rule: 'unfinished', reason: 'the recording ends during the block' },
    recommendation: `The recording ends while this block was still under way, after at least ` +
      `${formatMs(blockedMs)}${where}: the process was killed during it (a liveness probe or an ` +
      'out-of-memory kill?). Its length is a lower bound; fix it as its kind says, and check ' +
      'what killed the process.',
    unfinished: true,
  } as BlockEvent;
}
