import type { Frame } from './events.js';

/**
 * Where a block happened, in the user's terms: the first frame of the
 * application's own code. Library frames (node_modules) are used only when
 * no application frame is on the stack, and Node's internal frames only when
 * nothing else is (a block inside Node itself, e.g. a timer list). The
 * probe's own frames are never a site.
 */

export type FrameOrigin = 'app' | 'library' | 'node' | 'probe' | 'unknown';

export function originOf(url: string, probeUrlPrefix: string | null): FrameOrigin {
  if (url === '') return 'unknown';
  if (url.startsWith('node:') || !url.includes('/')) return 'node';
  if (probeUrlPrefix && url.startsWith(probeUrlPrefix)) return 'probe';
  if (url.includes('/node_modules/')) return 'library';
  return 'app';
}

/** `bullmq` for `…/node_modules/bullmq/dist/…`, `@scope/pkg` for scoped packages. */
export function packageOf(url: string): string | null {
  const at = url.lastIndexOf('/node_modules/');
  if (at === -1) return null;
  const parts = url.slice(at + '/node_modules/'.length).split('/');
  const first = parts[0] ?? '';
  if (first.startsWith('@') && parts[1]) return `${first}/${parts[1]}`;
  return first || null;
}

/** Index of the frame that names the site, or -1. */
export function siteIndex(frames: readonly Frame[], probeUrlPrefix: string | null): number {
  let library = -1;
  let unknown = -1;
  let node = -1;
  for (let i = 0; i < frames.length; i++) {
    const origin = originOf(frames[i]?.url ?? '', probeUrlPrefix);
    if (origin === 'app') return i;
    if (origin === 'library' && library === -1) library = i;
    if (origin === 'unknown' && unknown === -1) unknown = i;
    if (origin === 'node' && node === -1) node = i;
  }
  if (library !== -1) return library;
  return unknown !== -1 ? unknown : node;
}

/**
 * `scoreReport (file:///app/report.js:88:12)`. An anonymous function is
 * named after its nearest named caller outside Node's internals, so the
 * site always says whose code it is.
 */
export function siteOf(frames: readonly Frame[] | null, probeUrlPrefix: string | null): string | null {
  if (!frames || frames.length === 0) return null;
  const index = siteIndex(frames, probeUrlPrefix);
  if (index === -1) return null;
  const frame = frames[index] as Frame;
  const name = frame.functionName || anonymousName(frames, index, probeUrlPrefix);
  const where = frame.url ? `${frame.url}:${frame.line}:${frame.column}` : `<unknown>:${frame.line}:${frame.column}`;
  return `${name} (${where})`;
}

function anonymousName(frames: readonly Frame[], index: number, probeUrlPrefix: string | null): string {
  for (let i = index + 1; i < frames.length; i++) {
    const caller = frames[i] as Frame;
    const origin = originOf(caller.url, probeUrlPrefix);
    if (caller.functionName && (origin === 'app' || origin === 'library')) {
      return `<anonymous in ${caller.functionName}>`;
    }
  }
  return '<anonymous>';
}
