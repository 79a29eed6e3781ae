import type { Frame } from '../record/events.js';
import { originOf, packageOf, siteIndex } from '../record/site.js';

/**
 * Facts about one stack sample that the kind rules and the task namer
 * share. Frames are ordered top (running) first, as the inspector gives
 * them; async frames (opt-in) are ignored here because they describe what
 * scheduled the code, not what is running.
 */

/** Node's functions that drain the microtask queue (promise continuations). */
const QUEUE_RUNNERS = new Set(['processTicksAndRejections', 'runNextTicks', 'runMicrotasks']);

export interface SampleShape {
  /** True when no code ran but one of Node's queue runners (between continuations). */
  readonly inQueueRunner: boolean;
  /** Frames of application or library code, top first (Node frames on top skipped). */
  readonly work: readonly Frame[];
  /**
   * True when the code on top runs straight from the microtask queue:
   * below it there is nothing, or only one of Node's queue runners.
   */
  readonly onMicrotaskQueue: boolean;
}

export function syncFrames(frames: readonly Frame[]): Frame[] {
  return frames.filter((f) => !f.async);
}

export function shapeOf(frames: readonly Frame[], probeUrlPrefix: string | null): SampleShape {
  const sync = syncFrames(frames);
  const isCode = (f: Frame | undefined): boolean => {
    const origin = originOf(f?.url ?? '', probeUrlPrefix);
    return origin === 'app' || origin === 'library';
  };
  // Node's own frames on top (the application called into Node: a *Sync
  // wrapper, performance.now) belong to the application's call.
  let top = 0;
  while (top < sync.length && !isCode(sync[top])) top++;
  let bottom = top;
  while (bottom < sync.length && isCode(sync[bottom])) bottom++;
  const below = sync[bottom];
  const onQueue = bottom > top && (below === undefined || QUEUE_RUNNERS.has(below.functionName));
  const inQueueRunner = top === sync.length && sync.some((f) => QUEUE_RUNNERS.has(f.functionName));
  return { work: sync.slice(top, bottom), onMicrotaskQueue: onQueue, inQueueRunner };
}

/** The package of the site frame when the site is library code, else null. */
export function sitePackage(
  frames: readonly Frame[] | null,
  probeUrlPrefix: string | null,
): string | null {
  if (!frames) return null;
  const index = siteIndex(frames, probeUrlPrefix);
  const frame = frames[index];
  if (!frame || originOf(frame.url, probeUrlPrefix) !== 'library') return null;
  return packageOf(frame.url);
}

/** The first library frame above the site: the package the app called into. */
export function calledPackage(
  frames: readonly Frame[] | null,
  probeUrlPrefix: string | null,
): string | null {
  if (!frames) return null;
  for (const frame of syncFrames(frames)) {
    const origin = originOf(frame.url, probeUrlPrefix);
    if (origin === 'app') return null;
    if (origin === 'library') return packageOf(frame.url);
  }
  return null;
}
