import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

/**
 * Writes the recording as NDJSON from the watchdog thread, so it keeps
 * flowing while the main thread is blocked. Ordinary events are buffered
 * and flushed every FLUSH_MS; urgent ones (blocks, expiries) are written at
 * once. A SIGKILL therefore loses at most FLUSH_MS of samples.
 */

export const FLUSH_MS = 100;
/** A file whose first line is still unwritten counts as in use this long. */
const FRESH_FILE_MS = 10_000;

export function defaultRecordingPath(cwd: string, pid: number, now: Date): string {
  const stamp = now.toISOString().replace(/:/g, '-');
  return join(cwd, '.starve-probe', `${stamp}-${pid}.ndjson`);
}

/** `run.ndjson` → `run.4242.ndjson`. */
export function siblingPath(path: string, pid: number): string {
  const ext = extname(path);
  const stem = ext ? basename(path, ext) : basename(path);
  return join(dirname(path), `${stem}.${pid}${ext || '.ndjson'}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function firstLine(path: string): string | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(Math.min(64 * 1024, fstatSync(fd).size));
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, read).toString('utf8');
    const nl = text.indexOf('\n');
    return nl === -1 ? null : text.slice(0, nl);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True when another live process is writing `path` right now. */
function inUseByOther(path: string, pid: number, nowMs: number): boolean {
  const line = firstLine(path);
  if (line === null) {
    try {
      return nowMs - statSync(path).mtimeMs < FRESH_FILE_MS;
    } catch {
      return false;
    }
  }
  try {
    const start = JSON.parse(line) as { type?: string; pid?: number };
    return start.type === 'start' && typeof start.pid === 'number' && start.pid !== pid && isAlive(start.pid);
  } catch {
    return false;
  }
}

/**
 * Opens the file a process should record to. A path that a live process
 * already records to (a child that inherited STARVE_PROBE_OUT) is left to
 * it, and this process takes `<name>.<pid>.ndjson` beside it.
 */
export function claimRecordingPath(requested: string, pid: number, nowMs = Date.now()): { fd: number; path: string } {
  const path = resolve(requested);
  makeDirectories(dirname(path));
  try {
    return { fd: openSync(path, 'wx'), path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const chosen = inUseByOther(path, pid, nowMs) ? siblingPath(path, pid) : path;
  return { fd: openSync(chosen, 'w'), path: chosen };
}

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir never returns
 * for some paths under /proc (measured here: it spins at 100 % CPU), and a
 * watchdog stuck in it would keep the host from exiting.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(at)) break;
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing) mkdirSync(level);
}

export class RecordingWriter {
  readonly path: string;
  private readonly fd: number;
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private failed: string | null = null;
  private closed = false;

  constructor(fd: number, path: string) {
    this.fd = fd;
    this.path = path;
  }

  write(event: object, urgent = false): void {
    if (this.closed || this.failed) return;
    this.buffer.push(JSON.stringify(event) + '\n');
    if (urgent) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Null while writes succeed; the reason once one failed (disk full, …). */
  get error(): string | null {
    return this.failed;
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0 || this.failed) return;
    const chunk = Buffer.from(this.buffer.join(''), 'utf8');
    this.buffer = [];
    try {
      for (let offset = 0; offset < chunk.length; ) {
        offset += writeSync(this.fd, chunk, offset, chunk.length - offset);
      }
    } catch (error) {
      this.failed = (error as Error).message;
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed by process teardown.
    }
  }
}
