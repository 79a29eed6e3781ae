import { writeSync } from 'node:fs';
import { formatMs } from '../config/duration.js';
import { shortSite } from '../report/paths.js';

/**
 * Findings as one line each on stderr, written straight to fd 2 from the
 * watchdog: the worker's process.stderr is relayed through the main thread
 * and would stay silent until the block it reports was over.
 *
 * At most LINES_PER_WINDOW lines per WINDOW_MS; what is held back is
 * counted and said in the next line, so a storm of short blocks cannot
 * flood the application's log.
 */

const WINDOW_MS = 5000;
const LINES_PER_WINDOW = 5;

export class FindingsPrinter {
  private readonly quiet: boolean;
  private readonly cwd: string;
  private windowStart = -Infinity;
  private linesInWindow = 0;
  private heldBack = 0;

  constructor(options: { quiet: boolean; cwd: string }) {
    this.quiet = options.quiet;
    this.cwd = options.cwd;
  }

  blockEnded(
    durationMs: number, site: string | null, nowMono: number, kind?: string, threadId?: number,
  ): void {
    const what = kind ? ` (${kind})` : '';
    const blocked = `was blocked for ${formatMs(durationMs)}`;
    this.line(`${threadName(threadId)} ${blocked} ${this.where(site)}${what}`, nowMono);
  }

  stillBlocked(blockedMs: number, site: string | null, nowMono: number, threadId?: number): void {
    const blocked = `has been blocked for ${formatMs(blockedMs)} so far`;
    this.line(`${threadName(threadId)} ${blocked} ${this.where(site)}`, nowMono, true);
  }

  /** A sustained period of utilization near 1 (attribution, issue 4). */
  saturated(recommendation: string, nowMono: number): void {
    this.line(recommendation, nowMono);
  }

  /** Always written, even when quiet: the user must know monitoring ended. */
  probeStopped(reason: string): void {
    write(`starve-probe: the probe stopped because ${reason}; the application keeps running unmonitored\n`);
  }

  line(text: string, nowMono: number, urgent = false): void {
    if (this.quiet) return;
    if (nowMono - this.windowStart >= WINDOW_MS) {
      this.windowStart = nowMono;
      this.linesInWindow = 0;
    }
    if (this.linesInWindow >= LINES_PER_WINDOW && !urgent) {
      this.heldBack++;
      return;
    }
    this.linesInWindow++;
    const held = this.heldBack > 0 ? ` (${this.heldBack} more findings not shown; see the recording)` : '';
    this.heldBack = 0;
    write(`starve-probe: ${text}${held}\n`);
  }

  private where(site: string | null): string {
    return site ? `in ${shortSite(site, this.cwd)}` : '(no stack could be taken)';
  }
}

function threadName(threadId: number | undefined): string {
  return threadId === undefined ? 'the main thread' : `worker thread ${threadId}`;
}

function write(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // stderr closed: findings are in the recording anyway.
  }
}
