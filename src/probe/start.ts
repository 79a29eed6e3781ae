import { getHeapStatistics } from 'node:v8';
import { Worker, isMainThread, setEnvironmentData, workerData } from 'node:worker_threads';
import { readConfigFromEnv, type ProbeConfig } from '../config/parse.js';
import { debug } from '../util/debug.js';
import { trackGc, type GcTracker } from './gc.js';
import { heartbeatMsFor, startHeartbeat } from './heartbeat.js';
import { startSampler, type Sampler } from './sampler.js';
import { EXIT, EXIT_REQUESTED, EXIT_RUNNING, SHARED_BYTES, viewsOf, type SharedViews } from './shared.js';
import { watchdogEnv } from './flags.js';
import { startLeases } from '../leases/main-thread.js';
import { THREADS_ENV_KEY, threadsBuffer, type ThreadsData } from './threads.js';
import { startWorkerThreadProbe, watchThreadExits } from './worker-thread.js';
import type { FromWatchdog, ToWatchdog, WatchdogData } from '../watchdog/protocol.js';

/**
 * The preload's main-thread half. It wires the cheap collectors (heartbeat,
 * delay histogram, utilization, GC) and starts the watchdog worker, which
 * does everything that must go on while this thread is blocked.
 *
 * Contract with the host application: nothing written to stdout, every
 * timer and handle unref'd, no signal listeners (a SIGINT listener would
 * stop Ctrl-C from killing a blocked process), the exit code untouched, and
 * no exception ever escapes into the application.
 */

const LOADED = Symbol.for('starve-probe.loaded');
const EXIT_FLUSH_WAIT_MS = 500;
/**
 * The watchdog's own heap. The old-generation cap is a guard: a bug of ours
 * that leaks ends the watchdog (one line on stderr), never the host's
 * memory. The small young generation saves about 1.5 MiB of resident
 * memory; the watchdog allocates little.
 */
const WATCHDOG_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 256 };

export interface StartOptions {
  /** The watchdog's entry file, as built next to this module. */
  watchdogUrl: URL;
}

interface ProbeState {
  config: ProbeConfig;
  views: SharedViews;
  worker: Worker;
  sampler: Sampler;
  gc: GcTracker;
  stopHeartbeat: () => void;
  stopLeases: () => void;
  flushLeases: () => void;
  sampleTimer: NodeJS.Timeout;
  stopped: boolean;
}

let state: ProbeState | undefined;

export function startProbe(options: StartOptions): void {
  const globals = globalThis as Record<symbol, unknown>;
  if (globals[LOADED]) return;
  globals[LOADED] = true;
  if (isOwnWatchdog()) return;
  try {
    if (!isMainThread) {
      startWorkerThreadProbe();
      return;
    }
    start(options);
  } catch (error) {
    reportStopped(`it could not start: ${describe(error)}`);
  }
}

function isOwnWatchdog(): boolean {
  return (workerData as WatchdogData | null)?.starveProbeWatchdog === true;
}

function start(options: StartOptions): void {
  const { config, problems } = readConfigFromEnv(process.env);
  for (const problem of problems) {
    process.emitWarning(problem, { type: 'StarveProbeWarning', code: 'STARVE_PROBE_INVALID_OPTION' });
  }
  if (!config.enabled) return;

  const heartbeatMs = heartbeatMsFor(config.thresholdMs);
  const sab = new SharedArrayBuffer(SHARED_BYTES);
  const views = viewsOf(sab);
  const stopHeartbeat = startHeartbeat(views, heartbeatMs);
  const gc = trackGc();
  const sampler = startSampler(config.resolutionMs, gc);
  // The application's own worker threads beat into a buffer of their own.
  const threadsSab = threadsBuffer();
  setEnvironmentData(THREADS_ENV_KEY, { sab: threadsSab, heartbeatMs } satisfies ThreadsData);
  watchThreadExits(threadsSab);

  const data: WatchdogData = {
    starveProbeWatchdog: true,
    sab,
    config: { ...config, heartbeatMs },
    argv: process.argv.slice(),
    node: process.version,
    cwd: process.cwd(),
    runId: process.env.STARVE_PROBE_RUN_ID,
    heapLimitBytes: heapLimit(),
    threadsSab,
  };
  const worker = new Worker(options.watchdogUrl, {
    workerData: data,
    execArgv: [],
    env: watchdogEnv(process.env),
    name: 'starve-probe watchdog',
    stdout: true,
    stderr: false,
    resourceLimits: WATCHDOG_LIMITS,
  });

  const sampleTimer = setInterval(() => send(sampler.take()), config.sampleIntervalMs);
  sampleTimer.unref();

  // Leases last: their timer wrapping must not see the probe's own timers.
  const leases = startLeases({
    sab,
    leasesRaw: config.leases,
    thresholdMs: config.thresholdMs,
    probeUrlPrefix: new URL('../', options.watchdogUrl).href,
    post: send,
  });
  for (const problem of leases.problems) {
    process.emitWarning(problem, { type: 'StarveProbeWarning', code: 'STARVE_PROBE_INVALID_OPTION' });
  }

  state = { config, views, worker, sampler, gc, stopHeartbeat, stopLeases: leases.stop, flushLeases: leases.flush, sampleTimer, stopped: false };
  worker.on('message', onWatchdogMessage);
  worker.on('error', (error) => stop(`it failed: ${describe(error)}`));
  worker.on('exit', (code) => stop(`it exited with code ${code}`));
  process.on('exit', onExit);
  // After the listeners: adding a 'message' listener refs the worker again.
  worker.unref();
  debug('probe started: threshold %d ms, heartbeat %d ms', config.thresholdMs, heartbeatMs);
}

function send(message: ToWatchdog): void {
  if (!state || state.stopped) return;
  try {
    state.worker.postMessage(message);
  } catch (error) {
    debug('could not post to the watchdog: %s', describe(error));
  }
}

function onWatchdogMessage(message: FromWatchdog): void {
  if (!state) return;
  if (message.t === 'gc-query') {
    // GC entries reach the observer after the loop turns; answer once it has.
    const { id, fromMono, toMono } = message;
    const gc = state.gc;
    setImmediate(() => {
      setImmediate(() => send({ t: 'gc-answer', id, gcMs: gc.pauseMsBetween(fromMono, toMono) }));
    }).unref();
  } else if (message.t === 'fatal') {
    stop(message.reason, !message.reported);
  }
}

/** The process is exiting: hand the watchdog the last sample and wait, briefly, for it to flush. */
function onExit(): void {
  if (!state || state.stopped) return;
  const { sampler, views } = state;
  try {
    // The flag goes up before the message: were it stored after, a
    // watchdog quick enough to have flushed already would see its
    // EXIT_FLUSHED overwritten, and this thread would wait the full time.
    // A watchdog that gave up (no recording) has flushed already: no wait.
    if (Atomics.compareExchange(views.i32, EXIT, EXIT_RUNNING, EXIT_REQUESTED) === EXIT_RUNNING) {
      state.flushLeases();
      send({ t: 'final', sample: sampler.take(), runDelay: sampler.runDelay(), exitCode: process.exitCode ?? 0 });
      Atomics.wait(views.i32, EXIT, EXIT_REQUESTED, EXIT_FLUSH_WAIT_MS);
    }
  } catch (error) {
    debug('exit flush failed: %s', describe(error));
  }
  teardown();
}

function stop(reason: string, report = true): void {
  if (!state || state.stopped) return;
  teardown();
  if (report) reportStopped(reason);
}

function teardown(): void {
  if (!state) return;
  state.stopped = true;
  state.stopHeartbeat();
  state.stopLeases();
  clearInterval(state.sampleTimer);
  state.sampler.stop();
  state.gc.stop();
  process.removeListener('exit', onExit);
}

function reportStopped(reason: string): void {
  try {
    process.stderr.write(`starve-probe: the probe stopped because ${reason}; the application keeps running unmonitored\n`);
  } catch {
    // stderr itself is gone; there is no one left to tell.
  }
}

function heapLimit(): number | null {
  try {
    return getHeapStatistics().heap_size_limit;
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
