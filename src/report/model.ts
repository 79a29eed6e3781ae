import { isCountedBlock } from '../record/blocks.js';
import type { AnyEvent, BlockEvent, RunSummary, StartEvent } from '../record/events.js';
import type { Recording } from '../record/read.js';
import { SummaryBuilder } from '../record/summary.js';
import { findingsOf, type Findings } from './findings.js';
import { unfinishedBlocks } from '../record/unfinished.js';

/**
 * What a report says about one recording, computed once and rendered as
 * text or JSON. The summary is recomputed from the events so a recording
 * without `end` (a killed process) reads the same as a complete one; the
 * run's own delay histogram from `end` is used when present.
 */

export interface RecordingReport {
  path: string;
  pid: number;
  argv: string[];
  node: string;
  thresholdMs: number | null;
  complete: boolean;
  truncated: boolean;
  badLines: number[];
  summary: RunSummary;
  /** Top offenders with their fixes, saturation, profiles (issue 4). */
  findings: Findings;
  blocks: BlockEvent[];
  /** lease, renewal, lease-expired, lease-risk and timer-late events. */
  leaseEvents: AnyEvent[];
}

const LEASE_TYPES = new Set(['lease', 'renewal', 'lease-expired', 'lease-risk', 'timer-late']);

export function analyze(recording: Recording): RecordingReport {
  const builder = new SummaryBuilder();
  const unfinished = recording.end ? [] : unfinishedBlocks(recording.events);
  const events = [...recording.events, ...unfinished];
  for (const event of events) builder.add(event);
  const summary = builder.build(recording.end?.summary.delaySource === 'histogram' ? recording.end.summary.delay : null);
  const start: StartEvent = recording.start;
  const threshold = (start.config as { thresholdMs?: unknown }).thresholdMs;
  return {
    path: recording.path,
    pid: start.pid,
    argv: start.argv,
    node: start.node,
    thresholdMs: typeof threshold === 'number' ? threshold : null,
    complete: recording.end !== null,
    truncated: recording.truncated,
    badLines: recording.badLines,
    summary,
    findings: findingsOf(summary.sites, events),
    blocks: events.filter(isCountedBlock),
    leaseEvents: recording.events.filter((e) => LEASE_TYPES.has(e.type)),
  };
}
