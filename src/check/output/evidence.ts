import { formatMs } from '../../config/duration.js';
import { UNKNOWN_SITE } from '../../record/summary.js';
import { renderStack } from '../../report/text.js';
import { shortSite, shortUrl } from '../../report/paths.js';
import {
  commandFailed, isBroken, type Evidence, type LimitResult, type Verdict,
} from '../verdict.js';

/**
 * Evidence as plain lines, shared by the text output, the JUnit failure
 * bodies and the Markdown summary, so every format tells the same story.
 */

export function evidenceLines(e: Evidence, cwd: string): string[] {
  const out: string[] = [`recording ${shortUrl(e.recording, cwd)} (pid ${e.pid})`];
  if (e.lease && e.renewal) {
    const r = e.renewal;
    const failed = r.ok ? '' : ` and failed${r.error ? ` (${r.error})` : ''}`;
    out.push(`lease "${e.lease}": a renewal settled with ${formatMs(r.marginMs)} of its ` +
      `${formatMs(r.ttlMs)} TTL left${failed}`);
  }
  if (e.lease && e.expiry) {
    const x = e.expiry;
    const since = x.sinceRenewalMs === null
      ? ''
      : ` ${formatMs(x.sinceRenewalMs)} after its last renewal`;
    const during = x.duringBlock ? ', while the main thread was blocked' : '';
    out.push(`lease "${e.lease}" (TTL ${formatMs(x.ttlMs)}) expired${since}${during}`);
  }
  const b = e.block;
  if (b) {
    out.push(`${blockLabel(e)}: ${formatMs(b.durationMs)}${b.id > 0 ? ` (block ${b.id})` : ''}` +
      `${b.threadId ? ` on thread ${b.threadId}` : ''}`);
    out.push(`site: ${b.site === null ? UNKNOWN_SITE : shortSite(b.site, cwd)}`);
    if (b.kind) out.push(`kind: ${b.kind}`);
    out.push('stack:', ...renderStack(b.stack, cwd).map((l) => l.replace(/^ {4}/, '  ')));
  } else if (e.lease) {
    out.push('no recorded block overlaps it: the delay came from somewhere else ' +
      '(slow I/O, a slow server)');
  }
  out.push(`recommendation: ${e.recommendation}`);
  return out;
}

function blockLabel(e: Evidence): string {
  if (!e.lease) return 'the worst block';
  return e.expiry ? 'the block that expired it' : 'the longest block while it ran down';
}

/**
 * Renders each failure's evidence once: a block already shown for an
 * earlier limit is referred to, not repeated (one long block usually
 * breaks the p99, the block and the blocked-time limits together).
 */
export function evidenceOnce(cwd: string): (e: Evidence) => string[] {
  const shown = new Set<string>();
  return (e) => {
    const b = e.block;
    const key = b && !e.lease ? `${e.recording}#${b.id}` : null;
    if (b && key && shown.has(key)) {
      const site = b.site === null ? UNKNOWN_SITE : shortSite(b.site, cwd);
      return [`the worst block is the one shown above: ${formatMs(b.durationMs)} in ${site}`];
    }
    if (key) shown.add(key);
    return evidenceLines(e, cwd);
  };
}

export function statusWord(r: LimitResult, strict: boolean): string {
  if (r.status === 'pass') return 'PASS';
  if (r.status === 'fail') return 'FAIL';
  return strict ? 'FAIL (no data)' : 'NO DATA';
}

export function commandSentence(v: Verdict, cwd: string): string | null {
  const c = v.command;
  if (!c) return null;
  const argv = c.argv.map((a) => shortUrl(a, cwd)).join(' ');
  if (c.signal) return `The command ${argv} was ended by ${c.signal}.`;
  return `The command ${argv} exited with code ${c.code}.`;
}

export function commandOk(v: Verdict): boolean {
  return !commandFailed(v.command);
}

export function brokenCount(v: Verdict): number {
  return v.results.filter((r) => isBroken(r, v.strict)).length + (commandOk(v) ? 0 : 1);
}
