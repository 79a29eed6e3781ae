import { formatBytes, formatMs } from '../config/duration.js';
import type { Frame } from '../record/events.js';
import { UNKNOWN_SITE } from '../record/summary.js';
import type { RecordingReport } from './model.js';
import { shortSite, shortUrl } from './paths.js';
import { renderLeases } from './leases.js';
import { renderFindings } from './findings.js';

/** Plain-text report for a terminal, 80 columns. */

const TOP_SITES = 10;
const STACK_LINES = 12;

export function renderText(reports: readonly RecordingReport[], cwd: string): string {
  return reports.map((r) => renderOne(r, cwd)).join('\n');
}

function renderOne(r: RecordingReport, cwd: string): string {
  const out: string[] = [];
  const s = r.summary;
  const command = r.argv.slice(1).map((a) => shortUrl(a, cwd)).join(' ') || '(unknown command)';
  out.push(`starve-probe report: ${command} (pid ${r.pid}, node ${r.node})`);
  out.push(`  recording ${shortUrl(r.path, cwd)}, ${formatMs(s.durationMs)} long`);
  for (const note of notes(r)) out.push(`  note: ${note}`);
  out.push('');
  out.push(...renderFindings(r.findings, cwd));

  const d = s.delay;
  const delaySource = s.delaySource === 'samples' ? ' (estimated from per-second samples)' : '';
  out.push(d
    ? `Event-loop delay  p50 ${formatMs(d.p50Ms)}  p90 ${formatMs(d.p90Ms)}  p99 ${formatMs(d.p99Ms)}  max ${formatMs(d.maxMs)}${delaySource}`
    : 'Event-loop delay  not measured (the run ended before the first sample)');
  out.push(`Utilization       ${s.eluMean === null ? 'not measured' : `${Math.round(s.eluMean * 100)} % on average`}`);
  out.push(`GC                ${formatMs(s.gcMs)} of pauses in all`);
  out.push(`Memory            heap up to ${formatBytes(s.maxHeapUsedBytes)}, resident up to ${formatBytes(s.maxRssBytes)}`);
  const threshold = r.thresholdMs === null ? '' : ` over ${formatMs(r.thresholdMs)}`;
  out.push(s.blocks === 0
    ? `Blocks            none${threshold}`
    : `Blocks            ${s.blocks}${threshold}: ${formatMs(s.totalBlockedMs)} blocked in all, the longest ${formatMs(s.maxBlockMs)}`);

  if (s.sites.length > 0) {
    out.push('', 'Blocks by site (most total time first)');
    out.push(`  ${'count'.padStart(5)} ${'total'.padStart(8)} ${'max'.padStart(8)} ${'p50'.padStart(8)}  site`);
    for (const site of s.sites.slice(0, TOP_SITES)) {
      out.push(`  ${String(site.count).padStart(5)} ${formatMs(site.totalMs).padStart(8)} ${formatMs(site.maxMs).padStart(8)} ${formatMs(site.p50Ms).padStart(8)}  ${site.site === UNKNOWN_SITE ? site.site : shortSite(site.site, cwd)}`);
    }
    if (s.sites.length > TOP_SITES) out.push(`  … and ${s.sites.length - TOP_SITES} more sites (see --json)`);
    const worst = s.sites[0];
    if (worst) {
      out.push('', `Stack of the longest block at the top site (${formatMs(worst.maxMs)}):`);
      out.push(...renderStack(worst.worstStack, cwd));
    }
  }
  out.push(...renderLeases({ leases: s.leases ?? [], leaseEvents: r.leaseEvents, blocks: r.blocks, thresholdMs: r.thresholdMs }, cwd));
  return out.join('\n') + '\n';
}

function notes(r: RecordingReport): string[] {
  const notes: string[] = [];
  if (r.truncated) notes.push('the last line was cut short (the process was killed while writing); it was skipped');
  if (!r.complete) notes.push('no end event: the process did not exit normally (killed, or still running); figures cover what was recorded');
  const unfinished = r.blocks.filter((b) => b.unfinished).length;
  if (unfinished > 0) notes.push(`${unfinished} block(s) were still under way when the recording ended (the process was killed during them); counted with the length known so far, a lower bound`);
  if (r.badLines.length > 0) notes.push(`${r.badLines.length} malformed line(s) skipped (line ${r.badLines.slice(0, 5).join(', ')})`);
  return notes;
}

export function renderStack(stack: Frame[] | null, cwd: string): string[] {
  if (!stack) return ['    (no stack was taken during this block)'];
  const lines = stack.slice(0, STACK_LINES).map((f) => {
    const name = f.functionName || '<anonymous>';
    const where = f.url ? `${shortUrl(f.url, cwd)}:${f.line}:${f.column}` : `<native>:${f.line}:${f.column}`;
    return `    at ${f.async ? 'async ' : ''}${name} (${where})`;
  });
  if (stack.length > STACK_LINES) lines.push(`    … ${stack.length - STACK_LINES} more frames`);
  return lines;
}
