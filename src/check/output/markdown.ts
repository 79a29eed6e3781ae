import { shortUrl } from '../../report/paths.js';
import type { Verdict } from '../verdict.js';
import { brokenCount, commandOk, commandSentence, evidenceOnce, statusWord } from './evidence.js';

/**
 * The verdict as GitHub-flavoured Markdown: for the job summary
 * (GITHUB_STEP_SUMMARY) on GitHub Actions, or `--markdown FILE` anywhere.
 */

export function renderMarkdown(v: Verdict, cwd: string): string {
  const out: string[] = [];
  const total = v.results.length + (v.command ? 1 : 0);
  out.push(v.ok
    ? `### ✅ starve-probe check passed (${total} of ${total} hold)`
    : `### ❌ starve-probe check failed (${brokenCount(v)} of ${total} broken)`);
  out.push('');
  out.push('| Limit | Measured | Limit | Result |', '| --- | --- | --- | --- |');
  const command = commandSentence(v, cwd);
  if (command) {
    const word = bold(commandOk(v) ? 'PASS' : 'FAIL');
    out.push(`| command | ${cell(command)} | exit code 0 | ${word} |`);
  }
  for (const r of v.results) {
    const measured = `${cell(r.measuredText)} | ${cell(r.limitText)}`;
    out.push(`| \`--${r.flag}\` | ${measured} | ${bold(statusWord(r, v.strict))} |`);
  }
  const evidence = evidenceOnce(cwd);
  for (const r of v.results) {
    if (r.status === 'pass') continue;
    out.push('', `**${statusWord(r, v.strict)} \`--${r.flag}\`**: ${inline(r.sentence)}`);
    for (const e of r.evidence) out.push('', '```text', ...evidence(e).map(fence), '```');
  }
  for (const note of v.notes) out.push('', `> ${inline(note)}`);
  const code = (path: string): string => `\`${inline(shortUrl(path, cwd))}\``;
  const recordings = v.recordings.map((r) => code(r.path)).join(', ');
  const budget = v.budget ? ` Budget: ${code(v.budget)}.` : '';
  out.push('', `Recordings: ${recordings || 'none'}.${budget}`, '');
  return out.join('\n');
}

/** Anything but a pass stands out. */
function bold(word: string): string {
  return word === 'PASS' ? word : `**${word}**`;
}

function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

function inline(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A line inside a fenced block cannot close the fence. */
function fence(line: string): string {
  return line.replace(/```/g, '`\u200b``');
}
