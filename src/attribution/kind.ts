import type { BlockKind, Evidence, Frame } from '../record/events.js';
import { shapeOf, syncFrames } from './frames.js';
import { cpuBuiltinInSource, syncApiInSource, syncApiOfFrame } from './sync-apis.js';

/**
 * What kind of starvation a block is, decided from the evidence the probe
 * has, by the first rule that fires (docs/findings.md lists them):
 *
 *   1. gc          the main thread's GC pauses cover at least half the block,
 *                  or a quarter of it while the GC already took 30 % of the
 *                  interval before the block (sustained pressure: V8 then
 *                  also collects inside allocations, unreported as pauses),
 *                  or a quarter of it when no sample showed any code running
 *   2. sync-io     a sample shows Node's wrapper of a synchronous API
 *   3. sync-io     the line the pause landed on calls a synchronous API
 *   4. microtasks  two or more samples, each paused in a continuation run
 *                  straight off the microtask queue (one frame of code), at
 *                  an await, just after one, or in a loop that awaits; or
 *                  in Node's queue runner itself, between continuations
 *   5. cpu         JavaScript of the application or a library was running
 *   6. unknown     no stack, and GC does not explain the block
 *
 * Pure: source lines come from an injected reader, so the rules are tested
 * on data.
 */

export type { BlockKind, Evidence };
export const BLOCK_KINDS: readonly BlockKind[] = ['cpu', 'sync-io', 'microtasks', 'gc', 'unknown'];

export interface StackSample {
  readonly frames: readonly Frame[];
  /** When it was taken, in ms after the block's start. */
  readonly atMs: number;
}

export interface Classification {
  readonly kind: BlockKind;
  readonly evidence: Evidence;
  /**
   * The frame the evidence points at, when it is not where the pause
   * landed (a native call named on a caller's line): the block's site.
   */
  readonly callSite?: Frame;
}

export type SourceLineReader = (url: string, line: number) => string | null;

export interface KindInput {
  /** The block's length, or how long it has lasted so far. */
  readonly durationMs: number;
  /** GC pause inside the block; null when not known (yet). */
  readonly gcMs: number | null;
  readonly samples: readonly StackSample[];
  /** Why there is no stack, when there is none. */
  readonly stackError?: string | undefined;
  readonly probeUrlPrefix: string | null;
  readonly sourceLine: SourceLineReader;
  /** GC share of the last sample interval before the block; null if unknown. */
  readonly recentGcShare?: number | null;
}

/** GC share of a block from which it is called a GC block. */
export const GC_SHARE = 0.5;
/** How far a loop header is read for an await in its body. */
export const LOOP_BODY_LINES = 30;
export const MICROTASK_MIN_SAMPLES = 2;
/** Under sustained GC pressure, the block share from which a block is GC. */
export const GC_PRESSURE_BLOCK_SHARE = 0.25;
/** GC share of the interval before a block that counts as sustained pressure. */
export const GC_PRESSURE_RECENT_SHARE = 0.3;

export function classify(input: KindInput): Classification {
  return gcRule(input)
    ?? syncApiOnStack(input)
    ?? syncApiInSourceRule(input)
    ?? microtaskRule(input)
    ?? cpuRule(input)
    ?? unknownRule(input);
}

function gcRule(input: KindInput): Classification | null {
  const { durationMs, gcMs, recentGcShare } = input;
  if (gcMs === null || durationMs <= 0) return null;
  const share = gcMs / durationMs;
  if (share >= GC_SHARE) {
    return { kind: 'gc', evidence: { rule: 'gc-share', gcMs, share: round2(share) } };
  }
  if (share >= GC_PRESSURE_BLOCK_SHARE && samplesShowNoCode(input)) {
    return { kind: 'gc', evidence: { rule: 'gc-no-code', gcMs, share: round2(share) } };
  }
  const recent = recentGcShare ?? 0;
  if (share >= GC_PRESSURE_BLOCK_SHARE && recent >= GC_PRESSURE_RECENT_SHARE) {
    return {
      kind: 'gc',
      evidence: { rule: 'gc-pressure', gcMs, share: round2(share), recentGcShare: round2(recent) },
    };
  }
  return null;
}

/** Samples were taken, and none showed application or library code running. */
function samplesShowNoCode({ samples, probeUrlPrefix }: KindInput): boolean {
  return samples.length > 0 &&
    samples.every((s) => shapeOf(s.frames, probeUrlPrefix).work.length === 0);
}

function syncApiOnStack({ samples }: KindInput): Classification | null {
  for (const sample of samples) {
    // The outermost wrapper is the call the application made (readFileSync,
    // not the closeSync it calls inside).
    let found: string | null = null;
    for (const frame of syncFrames(sample.frames)) {
      const api = syncApiOfFrame(frame.functionName, frame.url);
      if (api) found = api.api;
      else if (!frame.url.startsWith('node:') && frame.url !== '') break;
    }
    if (found) return { kind: 'sync-io', evidence: { rule: 'sync-api-on-stack', api: found } };
  }
  return null;
}

function syncApiInSourceRule(input: KindInput): Classification | null {
  for (const sample of input.samples) {
    const found = callNear(sample, input, syncApiInSource);
    if (found) {
      return {
        kind: 'sync-io',
        evidence: { rule: 'sync-api-in-source', api: found.value.api, at: found.at },
        callSite: found.frame,
      };
    }
  }
  return null;
}

/**
 * A call found on the line the pause landed on, or on the line before: a
 * pause requested during a native call lands on the first statement after
 * it returns, which is often the next line.
 */
function callNear<T>(
  sample: StackSample,
  input: KindInput,
  find: (line: string) => T | null,
): { value: T; at: string; frame: Frame } | null {
  // Each frame of code, top first: the call that held the thread may have
  // returned into a caller that then called something else (a pause lands
  // at the first function entry or loop after the native call).
  for (const frame of shapeOf(sample.frames, input.probeUrlPrefix).work) {
    for (const line of [frame.line, frame.line - 1]) {
      const text = line >= 1 ? input.sourceLine(frame.url, line) : null;
      const value = text === null ? null : find(text);
      if (value !== null && text !== null) {
        const column = Math.max(1, text.indexOf(String(nameOf(value)).split('.').pop() ?? '') + 1);
        return { value, at: `${frame.url}:${line}`, frame: { ...frame, line, column } };
      }
    }
  }
  return null;
}

function microtaskRule(input: KindInput): Classification | null {
  const { samples, probeUrlPrefix, sourceLine } = input;
  if (samples.length < MICROTASK_MIN_SAMPLES) return null;
  const positions = new Set<string>();
  for (const sample of samples) {
    const shape = shapeOf(sample.frames, probeUrlPrefix);
    // Paused inside Node's queue runner, between two continuations.
    if (shape.inQueueRunner) continue;
    if (!shape.onMicrotaskQueue || shape.work.length !== 1) return null;
    const continuation = shape.work[0] as Frame;
    if (!followsAwait(continuation, sourceLine)) return null;
    positions.add(`${continuation.functionName}@${continuation.line}:${continuation.column}`);
  }
  if (positions.size === 0) return null;
  return {
    kind: 'microtasks',
    evidence: {
      rule: 'microtask-continuations',
      samples: samples.length,
      positions: [...positions],
    },
  };
}

/**
 * A continuation resumed by the queue stands at an await (the line has
 * one), on the statement after one (the line before ends with one), or on
 * the header of a loop whose body awaits: each turn of such a loop is a
 * new continuation. A loop without an await is one long call, not this.
 */
export function followsAwait(frame: Frame, sourceLine: SourceLineReader): boolean {
  const here = sourceLine(frame.url, frame.line);
  if (here === null) return false;
  if (/\bawait\b/.test(here)) return true;
  if (/^\s*(?:while|for|do)\b/.test(here)) return loopBodyAwaits(frame.url, frame.line, sourceLine);
  const before = frame.line > 1 ? sourceLine(frame.url, frame.line - 1) : null;
  return before !== null && /\bawait\b[^;{}]*;?\s*$/.test(before);
}

function loopBodyAwaits(url: string, headerLine: number, sourceLine: SourceLineReader): boolean {
  let depth = 0;
  let opened = false;
  for (let line = headerLine; line < headerLine + LOOP_BODY_LINES; line++) {
    const text = sourceLine(url, line);
    if (text === null) return false;
    if (/\bawait\b/.test(text)) return true;
    for (const ch of text) {
      if (ch === '{') {
        depth++;
        opened = true;
      } else if (ch === '}') {
        depth--;
      }
    }
    if (opened && depth <= 0) return false;
    if (!opened && line > headerLine) return false;
  }
  return false;
}

function cpuRule(input: KindInput): Classification | null {
  const working = input.samples
    .filter((s) => shapeOf(s.frames, input.probeUrlPrefix).work.length > 0);
  if (working.length === 0) return null;
  for (const sample of working) {
    const builtin = callNear(sample, input, cpuBuiltinInSource);
    if (builtin) {
      return {
        kind: 'cpu',
        evidence: {
          rule: 'cpu-builtin-in-source',
          api: builtin.value,
          at: builtin.at,
          samples: working.length,
        },
        callSite: builtin.frame,
      };
    }
  }
  return { kind: 'cpu', evidence: { rule: 'js-on-stack', samples: working.length } };
}

function unknownRule(input: KindInput): Classification {
  const reason = input.samples.length > 0
    ? 'the stack held only Node internals'
    : input.stackError ?? 'no stack was taken';
  return {
    kind: 'unknown',
    evidence: { rule: 'no-evidence', reason, gcMs: input.gcMs },
  };
}

function nameOf(value: unknown): string {
  return typeof value === 'string' ? value : String((value as { api?: string }).api ?? '');
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
