import { getEnvironmentData, threadId } from 'node:worker_threads';
import { monoMs } from '../util/clock.js';
import { debug } from '../util/debug.js';
import { startHeartbeat } from './heartbeat.js';
import { claimSlot, markExited, slotViews, THREADS_ENV_KEY, type ThreadsData } from './threads.js';

/**
 * The preload's half in an application's worker thread: a heartbeat in the
 * thread's slot, nothing else (no samplers, no watchdog of its own). The
 * beat timer is unref'd, so it never keeps the worker alive.
 *
 * The slot is given back when the thread exits: from here on a normal exit
 * or process.exit(), and from the parent thread (watchThreadExits) when the
 * worker is terminated, which runs no JavaScript in the worker.
 */
export function startWorkerThreadProbe(): void {
  const data = getEnvironmentData(THREADS_ENV_KEY) as ThreadsData | undefined;
  if (!data?.sab) return;
  const slot = claimSlot(data.sab, threadId, monoMs());
  if (slot === -1) {
    debug('worker thread %d is not monitored: every thread slot is taken', threadId);
    return;
  }
  startHeartbeat(slotViews(data.sab, slot), data.heartbeatMs);
  process.on('exit', () => markExited(data.sab, threadId));
  watchThreadExits(data.sab);
}

/** Marks the slots of this thread's own Workers free when they exit. */
export function watchThreadExits(sab: SharedArrayBuffer): void {
  process.on('worker', (worker) => {
    const id = worker.threadId;
    // An 'exit' listener neither refs nor unrefs the worker.
    worker.once('exit', () => markExited(sab, id));
  });
}
