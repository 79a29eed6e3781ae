import type { Attribution, BlockKind, Frame } from '../record/events.js';
import { siteOf } from '../record/site.js';
import { shortSite } from '../report/paths.js';
import { classify, type StackSample } from '../attribution/kind.js';
import { calledPackage, sitePackage } from '../attribution/frames.js';
import { recommend } from '../attribution/recommend.js';
import { taskOf, type TaskFrame } from '../attribution/task.js';
import type { SourceFiles } from './sources.js';
import { debug } from '../util/debug.js';

/**
 * Wires the pure attribution rules (src/attribution) to what the watchdog
 * knows about a block: its stack samples, its GC share, the source files.
 * Rules read the generated code (what V8 runs); the stack that is recorded
 * and the site are source-mapped to what the user wrote.
 */

export interface AttributorOptions {
  probeUrlPrefix: string;
  cwd: string;
  thresholdMs: number;
  sources: SourceFiles;
  /** The main thread's heap limit, for GC advice. */
  heapLimitBytes: number | null;
  /** The last heap figure the main thread sent. */
  heapUsedBytes: () => number | null;
  /** GC share of the main thread's last sample interval that ended before `mono`. */
  gcShareBefore: (mono: number) => number | null;
}

export interface BlockAttributionInput {
  durationMs: number;
  gcMs: number | null;
  samples: readonly StackSample[];
  stackError: string | undefined;
  threadId?: number;
  startMono?: number;
  /** The unit of work found while a sample was taken (units.ts). */
  unit?: string;
}

export class Attributor {
  constructor(private readonly o: AttributorOptions) {}

  /** The recorded form of a captured stack: source-mapped, internal fields dropped. */
  publicStack(frames: readonly TaskFrame[]): Frame[] {
    return frames.map((f) => this.o.sources.mapFrame(plainFrame(f)));
  }

  site(stack: readonly Frame[] | null): string | null {
    return siteOf(stack, this.o.probeUrlPrefix);
  }

  provisionalKind(input: BlockAttributionInput): BlockKind {
    return classify(this.kindInput(input)).kind;
  }

  /**
   * The block's findings. `site` comes back changed when the evidence names
   * the call that held the thread on a caller's line (see kind.ts).
   */
  attribute(
    input: BlockAttributionInput,
    stack: readonly Frame[] | null,
    stackSite: string | null,
  ): Attribution & { site: string | null } {
    const { kind, evidence, callSite } = classify(this.kindInput(input));
    const site = callSite ? this.site([this.o.sources.mapFrame(plainFrame(callSite))]) : stackSite;
    debug('block of %d ms: %s by %s; samples %s', input.durationMs, kind, evidence.rule,
      input.samples.map((s) => s.frames.slice(0, 3)
        .map((f) => `${f.functionName}@${f.line}:${f.column}`).join('<')).join(' | '));
    const first = input.samples[0]?.frames as readonly TaskFrame[] | undefined;
    const task = taskOf(first ?? null, this.o.probeUrlPrefix, this.line);
    const pkg = sitePackage(stack, this.o.probeUrlPrefix)
      ?? calledPackage(stack, this.o.probeUrlPrefix);
    const used = this.o.heapUsedBytes();
    const recommendation = recommend({
      kind,
      evidence,
      durationMs: input.durationMs,
      gcMs: input.gcMs,
      site: site ? shortSite(site, this.o.cwd) : null,
      task: input.unit ? `${task ?? 'code'} serving ${input.unit}` : task,
      package: pkg,
      thresholdMs: this.o.thresholdMs,
      ...(input.threadId === undefined ? {} : { threadId: input.threadId }),
      heap: used === null ? null : { usedBytes: used, limitBytes: this.o.heapLimitBytes },
    });
    return {
      site,
      kind,
      recommendation,
      evidence,
      ...(task ? { task } : {}),
      ...(input.unit ? { unit: input.unit } : {}),
      ...(pkg ? { package: pkg } : {}),
    };
  }

  private kindInput(input: BlockAttributionInput) {
    return {
      durationMs: input.durationMs,
      gcMs: input.gcMs,
      samples: input.samples,
      stackError: input.stackError,
      probeUrlPrefix: this.o.probeUrlPrefix,
      sourceLine: this.line,
      recentGcShare: input.threadId === undefined && input.startMono !== undefined
        ? this.o.gcShareBefore(input.startMono)
        : null,
    };
  }

  private readonly line = (url: string, line: number): string | null =>
    this.o.sources.line(url, line);
}

function plainFrame(f: TaskFrame): Frame {
  return {
    functionName: f.functionName,
    url: f.url,
    line: f.line,
    column: f.column,
    ...(f.async ? { async: true } : {}),
  };
}
