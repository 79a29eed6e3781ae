import { appendFileSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Evidence, Verdict } from '../verdict.js';
import { commandOk, commandSentence } from './evidence.js';
import { renderMarkdown } from './markdown.js';

/**
 * GitHub Actions: workflow commands that annotate the blocking line of
 * the pull request (`::error file=…,line=…::`), and the Markdown verdict
 * appended to the job summary. Used when GITHUB_ACTIONS=true.
 *
 * Paths are made relative to GITHUB_WORKSPACE (the checkout), else to the
 * working directory; a file outside it gets an annotation without a file,
 * because GitHub can only place annotations on files of the repository.
 */

export interface GithubEnv {
  workspace: string;
  summaryFile: string | undefined;
}

export function githubEnvOf(env: NodeJS.ProcessEnv, cwd: string): GithubEnv | null {
  if (env.GITHUB_ACTIONS !== 'true') return null;
  return {
    workspace: env.GITHUB_WORKSPACE || cwd,
    summaryFile: env.GITHUB_STEP_SUMMARY || undefined,
  };
}

export function renderAnnotations(v: Verdict, gh: GithubEnv): string {
  const lines: string[] = [];
  if (!commandOk(v)) {
    const sentence = commandSentence(v, gh.workspace) ?? '';
    lines.push(command('error', { title: 'starve-probe check: command failed' }, sentence));
  }
  for (const r of v.results) {
    if (r.status === 'pass') continue;
    const level = r.status === 'fail' || v.strict ? 'error' : 'warning';
    const title = `starve-probe --${r.flag}`;
    const evidence = r.evidence.length > 0 ? r.evidence : [null];
    for (const e of evidence) {
      const where = e ? locationOf(e, gh.workspace) : null;
      const advice = e ? `\n${e.recommendation}` : '';
      lines.push(command(level, { ...where, title }, `${r.sentence}${advice}`));
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}

export function appendSummary(v: Verdict, gh: GithubEnv, cwd: string): void {
  if (gh.summaryFile) appendFileSync(gh.summaryFile, renderMarkdown(v, cwd) + '\n');
}

interface Location {
  file?: string;
  line?: string;
  col?: string;
}

/** The file and line of the blocking site, as a path inside the workspace. */
export function locationOf(e: Evidence, workspace: string): Location {
  const site = e.block?.site;
  const match = site ? /\((.*):(\d+):(\d+)\)$/.exec(site) : null;
  if (!match) return {};
  const [, url, line, col] = match as unknown as [string, string, string, string];
  let path: string;
  try {
    path = url.startsWith('file://') ? fileURLToPath(url) : url;
  } catch {
    return {};
  }
  if (!isAbsolute(path)) return {};
  const rel = relative(workspace, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return {};
  return { file: rel.split(sep).join('/'), line, col };
}

function command(
  level: 'error' | 'warning', props: Record<string, string | undefined>, message: string,
): string {
  const list = Object.entries(props)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(value as string)}`)
    .join(',');
  return `::${level}${list ? ` ${list}` : ''}::${escapeData(message)}`;
}

export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
