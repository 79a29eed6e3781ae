import { originOf, packageOf } from '../record/site.js';

/**
 * The unit of work a block belongs to — a BullMQ job, an HTTP request —
 * read from the blocked thread's own variables while it is paused for its
 * stack: the watchdog evaluates UNIT_EXPRESSION on a few frames (the
 * BullMQ worker's, then the innermost application frames) and keeps the
 * first answer. No async hooks, so it costs nothing until a block happens.
 *
 * The expression runs with side effects forbidden (V8 refuses it, rather
 * than run a getter that does something); it looks for a variable named
 * `job` (BullMQ's processor argument, and the usual name for one) and
 * `req`/`request` (node:http's handler arguments, Express, Fastify). A
 * request whose handler has awaited since it began is still found when the
 * blocked frame is the handler itself or keeps `req` in scope.
 */

export const UNIT_FRAMES_TRIED = 4;

export const UNIT_EXPRESSION = [
  "typeof job === 'object' && job !== null && typeof job.name === 'string' && job.id !== undefined",
  "  ? 'job \"' + job.name + '\" (id ' + job.id + ')'",
  "  : typeof req === 'object' && req !== null && typeof req.method === 'string' && typeof req.url === 'string'",
  "  ? 'HTTP ' + req.method + ' ' + req.url",
  "  : typeof request === 'object' && request !== null && typeof request.method === 'string' && typeof request.url === 'string'",
  "  ? 'HTTP ' + request.method + ' ' + request.url",
  '  : undefined',
].join('\n');

export interface UnitFrame {
  functionName: string;
  url: string;
}

/** Indexes of the frames to evaluate UNIT_EXPRESSION on, in order. */
export function unitFrameIndexes(frames: readonly UnitFrame[], probeUrlPrefix: string | null): number[] {
  const chosen: number[] = [];
  const bullmq = frames.findIndex((f) => packageOf(f.url) === 'bullmq' && /processJob$/i.test(f.functionName));
  if (bullmq !== -1) chosen.push(bullmq);
  for (let i = 0; i < frames.length && chosen.length < UNIT_FRAMES_TRIED; i++) {
    const frame = frames[i] as UnitFrame;
    if (i !== bullmq && originOf(frame.url, probeUrlPrefix) === 'app') chosen.push(i);
  }
  return chosen;
}

/** The unit as recorded, from an evaluation's value; null when there is none. */
export function unitOf(value: unknown, frame: UnitFrame): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const text = value.length > 200 ? `${value.slice(0, 199)}…` : value;
  return packageOf(frame.url) === 'bullmq' && text.startsWith('job ') ? `BullMQ ${text}` : text;
}
