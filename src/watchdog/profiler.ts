import { writeFileSync } from 'node:fs';
import { postQuietly } from './inspector.js';
import { Session } from 'node:inspector';
import { debug } from '../util/debug.js';
import { monoMs } from '../util/clock.js';
import type { BlockMonitor, OpenBlock } from './blocks.js';

/**
 * --profile (STARVE_PROBE_PROFILE): a V8 CPU profile of the main thread
 * during each block that lasts longer than `minMs`.
 *
 * The profiler runs only inside such a block: Profiler.enable and
 * Profiler.start are sent when the block has lasted `minMs` (the inspector
 * delivers them to the blocked thread the way it delivers a pause),
 * Profiler.stop when the block ends, then Profiler.disable. Nothing stays
 * switched on between blocks. The profile therefore covers the block from
 * `minMs` to its end, not its first `minMs`.
 *
 * The file is written next to the recording, `<recording>.<block id>.cpuprofile`
 * (the .ndjson dropped), and the block event links it in its `profile` field;
 * the block event waits for it (BlockMonitor holds).
 */

const SAMPLING_INTERVAL_US = 1000;

interface Running {
  blockId: number;
  release: () => void;
}

export class BlockProfiler {
  private session: Session | null = null;
  private running: Running | null = null;

  constructor(private readonly o: { minMs: number; recordingPath: string }) {}

  attach(monitor: BlockMonitor): void {
    monitor.listeners.push((block, phase) => {
      if (phase === 'start') this.scheduleStart(monitor, block);
      else if (phase === 'end' && this.running?.blockId === block.id) this.stop(block);
    });
  }

  profilePath(blockId: number): string {
    return `${this.o.recordingPath.replace(/\.ndjson$/, '')}.${blockId}.cpuprofile`;
  }

  private scheduleStart(monitor: BlockMonitor, block: OpenBlock): void {
    const waitMs = Math.max(0, block.startMono + this.o.minMs - monoMs());
    setTimeout(() => {
      if (block.end || this.running || monitor.current?.id !== block.id) return;
      if (!this.connect()) return;
      this.running = { blockId: block.id, release: monitor.hold(block) };
      this.post('Profiler.enable');
      this.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      this.post('Profiler.start');
    }, waitMs);
  }

  private stop(block: OpenBlock): void {
    const running = this.running;
    if (!running) return;
    this.session?.post('Profiler.stop', (error, result) => {
      this.post('Profiler.disable');
      this.running = null;
      if (error || !result?.profile) {
        debug('profile of block %d failed: %s', block.id, error?.message ?? 'no profile');
      } else {
        const path = this.profilePath(block.id);
        try {
          writeFileSync(path, JSON.stringify(result.profile));
          block.extra.profile = path;
        } catch (writeError) {
          debug('profile of block %d not written: %s', block.id, (writeError as Error).message);
        }
      }
      running.release();
    });
  }

  private connect(): boolean {
    if (this.session) return true;
    try {
      const session = new Session();
      session.connectToMainThread();
      this.session = session;
      return true;
    } catch (error) {
      debug('profiler unavailable: %s', (error as Error).message);
      return false;
    }
  }

  private post(method: string, params?: object): void {
    postQuietly(this.session, method, params);
  }

  close(): void {
    try {
      this.session?.disconnect();
    } catch {
      // The process is going away.
    }
    this.session = null;
  }
}
