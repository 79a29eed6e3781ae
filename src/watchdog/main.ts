/**
 * The watchdog worker's entry: it only wires. It owns the recording, reads
 * the heartbeat, and takes the main thread's stack while a block is under
 * way (see protocol.ts for the message flow, stacks.ts for the capture).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultRecordingPath, claimRecordingPath, RecordingWriter } from '../record/writer.js';
import { SCHEMA_VERSION } from '../record/events.js';
import { systemClock } from '../util/clock.js';
import { viewsOf } from '../probe/shared.js';
import { BlockMonitor, type Emit } from './blocks.js';
import { FindingsPrinter } from './findings.js';
import { StackCapturer } from './stacks.js';
import { SummaryBuilder } from '../record/summary.js';
import type { ToWatchdog, WatchdogData } from './protocol.js';
import { ExitHandshake } from './exit.js';
import { attachLeaseWatch } from '../leases/watchdog.js';
import { Attributor } from './attribute.js';
import { SaturationMonitor } from './saturation.js';
import { SourceFiles } from './sources.js';
import { ThreadsMonitor } from './threads.js';
import { BlockProfiler } from './profiler.js';

const data = workerData as WatchdogData;
const port = parentPort;

function main(): void {
  if (!port) return;
  const clock = systemClock();
  const views = viewsOf(data.sab);
  const findings = new FindingsPrinter({ quiet: data.config.quiet, cwd: data.cwd });

  let writer: RecordingWriter;
  try {
    const requested = data.config.out ?? defaultRecordingPath(data.cwd, process.pid, new Date());
    const { fd, path } = claimRecordingPath(requested, process.pid);
    writer = new RecordingWriter(fd, path);
  } catch (error) {
    // Said from here, on fd 2, because a short-lived application may be
    // gone before the main thread would read a message from us.
    const reason = `the recording could not be opened: ${(error as Error).message}`;
    findings.probeStopped(reason);
    port.postMessage({ t: 'fatal', reason, reported: true });
    new ExitHandshake(views).flushed();
    return;
  }

  const summary = new SummaryBuilder();
  const emit: Emit = (event, urgent = false) => {
    const full = { ...event, pid: process.pid };
    summary.add(full as never);
    writer.write(full, urgent);
  };

  emit({
    type: 'start',
    time: Date.now(),
    v: SCHEMA_VERSION,
    node: data.node,
    argv: data.argv,
    config: data.config,
    ...(data.runId ? { runId: data.runId } : {}),
    recording: writer.path,
  }, true);

  const stacks = new StackCapturer({
    asyncStacks: data.config.asyncStacks,
    probeUrlPrefix: new URL('../', import.meta.url).href,
  });
  // Attribution (issue 4): kinds, recommendations, source maps, saturation.
  let heapUsedBytes: number | null = null;
  // GC share of recent sample intervals, by their end: sustained-pressure evidence.
  const recentGc: Array<{ atMono: number; share: number }> = [];
  const gcShareBefore = (mono: number): number | null => {
    for (let i = recentGc.length - 1; i >= 0; i--) {
      const entry = recentGc[i] as { atMono: number; share: number };
      if (entry.atMono <= mono) return entry.share;
    }
    return null;
  };
  const probeUrlPrefix = new URL('../', import.meta.url).href;
  const attributor = new Attributor({
    probeUrlPrefix,
    cwd: data.cwd,
    thresholdMs: data.config.thresholdMs,
    sources: new SourceFiles(probeUrlPrefix),
    heapLimitBytes: data.heapLimitBytes,
    heapUsedBytes: () => heapUsedBytes,
    gcShareBefore,
  });
  const saturation = new SaturationMonitor({
    elu: data.config.saturationElu,
    forMs: data.config.saturationForMs,
    thresholdMs: data.config.thresholdMs,
    clock,
    emit,
    findings,
  });
  let lastBlockId = 0;
  const newId = (): number => ++lastBlockId;
  const blocks = new BlockMonitor({
    newId,
    views,
    clock,
    thresholdMs: data.config.thresholdMs,
    stacks,
    findings,
    emit,
    askGc: (id, fromMono, toMono) => port.postMessage({ t: 'gc-query', id, fromMono, toMono }),
    probeUrlPrefix,
    attributor,
  });
  const profiler = data.config.profile
    ? new BlockProfiler({
      minMs: data.config.profileMinMs ?? 2 * data.config.thresholdMs,
      recordingPath: writer.path,
    })
    : null;
  profiler?.attach(blocks);
  blocks.listeners.push((block, phase) => {
    if (phase === 'end' && block.end) saturation.blockSeen(block.startMono, block.end.endMono);
  });
  const threads = new ThreadsMonitor({
    sab: data.threadsSab, clock, thresholdMs: data.config.thresholdMs,
    findings, emit, probeUrlPrefix, attributor, newId,
  });
  const exit = new ExitHandshake(views);
  const leases = attachLeaseWatch({
    sab: data.sab, views, clock, blocks, emit,
    riskFraction: data.config.leaseRisk,
    heartbeatMs: data.config.heartbeatMs,
    thresholdMs: data.config.thresholdMs,
    findings,
    cwd: data.cwd,
  });

  port.on('message', (message: ToWatchdog) => {
    if (leases.onMessage(message)) return;
    if (message.t === 'sample') {
      const { t: _t, atMono, ...fields } = message;
      emit({ type: 'sample', time: clock.epochMs(atMono), ...fields });
      heapUsedBytes = message.heapUsedBytes;
      const gcShare = message.intervalMs > 0 ? message.gcMs / message.intervalMs : 0;
      recentGc.push({ atMono, share: gcShare });
      if (recentGc.length > 8) recentGc.shift();
      saturation.sample(atMono, message.intervalMs, message.elu);
    } else if (message.t === 'gc-answer') {
      blocks.gcAnswered(message.id, message.gcMs);
    } else if (message.t === 'final') {
      const { t: _t, atMono, ...fields } = message.sample;
      emit({ type: 'sample', time: clock.epochMs(atMono), ...fields });
      blocks.closeAll(message.sample.atMono);
      leases.close();
      threads.close(message.sample.atMono);
      saturation.sample(atMono, message.sample.intervalMs, message.sample.elu);
      saturation.close();
      emit({ type: 'end', time: Date.now(), exitCode: message.exitCode, summary: summary.build(message.runDelay) }, true);
      writer.close();
      stacks.close();
      profiler?.close();
      exit.flushed();
      port.close();
    }
  });
  blocks.start();
  threads.start();
}

main();
