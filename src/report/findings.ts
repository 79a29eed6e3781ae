import { readFileSync } from 'node:fs';
import { formatMs } from '../config/duration.js';
import type { BlockEvent, SaturationEvent, SiteSummary } from '../record/events.js';
import { UNKNOWN_SITE } from '../record/summary.js';
import { hottestFunctions, isCpuProfile, type HotFunction } from '../attribution/profile-hot.js';
import { wrap } from '../cli/args.js';
import { shortSite, shortUrl } from './paths.js';

/**
 * The findings part of a report (issue 4): the top offenders with their
 * kind and fix, saturation periods, and the hottest functions of the CPU
 * profiles recorded with --profile. Shown first, before the details.
 */

const TOP_OFFENDERS = 5;
const HOT_FUNCTIONS = 5;

export interface ProfileFinding {
  blockId: number;
  path: string;
  durationMs: number;
  /** Null when the file could not be read; `error` says why. */
  hottest: HotFunction[] | null;
  error?: string;
}

export interface Findings {
  topOffenders: SiteSummary[];
  saturations: SaturationEvent[];
  profiles: ProfileFinding[];
}

export function findingsOf(
  sites: readonly SiteSummary[],
  events: readonly { type: string }[],
): Findings {
  const saturations = events.filter((e): e is SaturationEvent => e.type === 'saturation');
  const profiles = events
    .filter((e): e is BlockEvent =>
      e.type === 'block' && typeof (e as BlockEvent).profile === 'string')
    .map((b) => readProfile(b));
  return { topOffenders: sites.slice(0, TOP_OFFENDERS), saturations, profiles };
}

function readProfile(block: BlockEvent): ProfileFinding {
  const base = { blockId: block.id, path: block.profile as string, durationMs: block.durationMs };
  try {
    const parsed = JSON.parse(readFileSync(base.path, 'utf8')) as unknown;
    if (!isCpuProfile(parsed)) return { ...base, hottest: null, error: 'not a V8 CPU profile' };
    return { ...base, hottest: hottestFunctions(parsed, HOT_FUNCTIONS) };
  } catch (error) {
    return { ...base, hottest: null, error: (error as Error).message };
  }
}

export function renderFindings(f: Findings, cwd: string): string[] {
  const out: string[] = [];
  if (f.topOffenders.length > 0) {
    out.push('Top offenders (most blocked time first), and their fixes');
    f.topOffenders.forEach((site, i) => {
      const name = site.site === UNKNOWN_SITE ? site.site : shortSite(site.site, cwd);
      const pkg = site.package ? ` [${site.package}]` : '';
      out.push(`  ${i + 1}. ${name}${pkg}`);
      const last = new Date(site.lastSeen).toISOString().slice(11, 19);
      out.push(`     ${kindsText(site.kinds)}; ${site.count} block(s), ` +
        `${formatMs(site.totalMs)} in all, max ${formatMs(site.maxMs)}, ` +
        `p50 ${formatMs(site.p50Ms)}, last ${last}`);
      if (site.recommendation) out.push(...indent(`Fix: ${site.recommendation}`, 5));
    });
    out.push('');
  }
  for (const s of f.saturations) {
    out.push(`Saturation: ${Math.round(s.elu * 100)} % busy for ${formatMs(s.periodMs)} from ` +
      `${new Date(s.time).toISOString().slice(11, 19)}`);
    out.push(...indent(`Fix: ${s.recommendation}`, 2), '');
  }
  for (const p of f.profiles) {
    const file = shortUrl(p.path, cwd);
    out.push(`CPU profile of block ${p.blockId} (${formatMs(p.durationMs)}): ${file}`);
    if (!p.hottest) out.push(`  (could not be read: ${p.error ?? 'unknown error'})`);
    else if (p.hottest.length === 0) out.push('  (no samples of JavaScript in it)');
    for (const h of p.hottest ?? []) {
      const where = h.url ? `${shortUrl(h.url, cwd)}:${h.line}` : 'native';
      const share = String(Math.round(h.share * 100)).padStart(3);
      out.push(`  ${formatMs(h.selfMs).padStart(8)} self ${share} %  ${h.functionName} (${where})`);
    }
    out.push('');
  }
  return out;
}

function kindsText(kinds: SiteSummary['kinds'] | undefined): string {
  const entries = Object.entries(kinds ?? {}).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  if (entries.length === 0) return 'kind not recorded';
  return entries.map(([kind, n]) => (entries.length === 1 ? kind : `${kind} ×${n}`)).join(', ');
}

function indent(text: string, spaces: number): string[] {
  const pad = ' '.repeat(spaces);
  return wrap(text, 78 - spaces).map((line) => pad + line);
}
