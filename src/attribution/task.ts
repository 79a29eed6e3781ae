import type { Frame } from '../record/events.js';
import { originOf, packageOf } from '../record/site.js';
import { syncFrames } from './frames.js';
import type { SourceLineReader } from './kind.js';

/**
 * Names the unit of work a block belongs to, from the stack alone (no
 * async hooks, so it costs nothing until a block happens):
 *
 * - the innermost `async` function of the application on the stack,
 *   recognised by the `async` keyword before its start on its source line
 *   (`async scoreReport`);
 * - when BullMQ's worker is further down the stack, the function is said to
 *   be a BullMQ job processor.
 *
 * The job or request itself is read from the paused thread's variables
 * by the stack capturer (units.ts), not from the stack.
 */

export interface TaskFrame extends Frame {
  /** 1-based line and column where the frame's function starts, when known. */
  readonly functionLine?: number;
  readonly functionColumn?: number;
}

export function taskOf(
  frames: readonly TaskFrame[] | null,
  probeUrlPrefix: string | null,
  sourceLine: SourceLineReader,
): string | null {
  if (!frames) return null;
  const sync = syncFrames(frames) as TaskFrame[];
  const underBullmq = sync.some((f) => packageOf(f.url) === 'bullmq');
  for (const frame of sync) {
    if (originOf(frame.url, probeUrlPrefix) !== 'app' || !frame.functionName) continue;
    if (!isAsyncFunction(frame, sourceLine)) continue;
    const name = `async ${frame.functionName}`;
    return underBullmq ? `${name} (BullMQ job processor)` : name;
  }
  return null;
}

export function isAsyncFunction(frame: TaskFrame, sourceLine: SourceLineReader): boolean {
  if (frame.functionLine === undefined || frame.functionColumn === undefined) return false;
  const text = sourceLine(frame.url, frame.functionLine);
  if (text === null) return false;
  // V8 puts a function's start at its name (`async function f(`, `async
  // f() {`) or, for an arrow, at its first token (`async (x) =>`): the
  // `async` keyword is between the previous boundary and just past it.
  const startIndex = frame.functionColumn - 1;
  const before = text.slice(0, startIndex);
  const boundary = Math.max(...[';', '{', '}', ',', '(', '='].map((c) => before.lastIndexOf(c)));
  const head = text.slice(boundary + 1, startIndex + 'async'.length);
  return /\basync\b/.test(head);
}
