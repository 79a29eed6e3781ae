/**
 * The hottest functions of a V8 CPU profile (.cpuprofile, as written by
 * the inspector's Profiler.stop): self time per function, summed over
 * every node of the call tree where it appears. Self time of a node is its
 * sample count times the sampling interval, measured from `timeDeltas`.
 */

export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  functionName: string;
  url: string;
  /** 1-based. */
  line: number;
  selfMs: number;
  /** Share of the profile's sampled time. */
  share: number;
}

/** V8's pseudo-nodes, which are not functions of anybody's code. */
const PSEUDO = new Set(['(root)', '(program)', '(idle)']);

export function isCpuProfile(value: unknown): value is CpuProfile {
  const p = value as CpuProfile;
  return typeof p === 'object' && p !== null &&
    Array.isArray(p.nodes) && Array.isArray(p.samples) &&
    Array.isArray(p.timeDeltas) && typeof p.startTime === 'number' && typeof p.endTime === 'number';
}

export function hottestFunctions(profile: CpuProfile, limit = 5): HotFunction[] {
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; it is charged to sample i.
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i] ?? 0));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, HotFunction>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id);
    const frame = node.callFrame;
    if (!us || PSEUDO.has(frame.functionName)) continue;
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}`;
    const hot = byFunction.get(key) ?? {
      functionName: frame.functionName || '(anonymous)',
      url: frame.url,
      line: frame.lineNumber + 1,
      selfMs: 0,
      share: 0,
    };
    hot.selfMs += us / 1000;
    byFunction.set(key, hot);
  }
  return [...byFunction.values()]
    .map((h) => ({
      ...h,
      selfMs: Math.round(h.selfMs * 10) / 10,
      share: totalUs > 0 ? Math.round(((h.selfMs * 1000) / totalUs) * 1000) / 1000 : 0,
    }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, limit);
}
