import { shortUrl } from '../../report/paths.js';
import type { Verdict } from '../verdict.js';
import { brokenCount, commandOk, commandSentence, evidenceOnce, statusWord } from './evidence.js';

/**
 * The verdict for a terminal or a CI log: one line per limit (measured
 * value, limit, PASS/FAIL), then each failure with its evidence, then one
 * closing line.
 */

export function renderCheckText(v: Verdict, cwd: string): string {
  const out: string[] = [];
  const what = v.recordings.length === 1 ? '1 recording' : `${v.recordings.length} recordings`;
  const budget = v.budget ? `, budget ${shortUrl(v.budget, cwd)}` : '';
  out.push(`starve-probe check: ${what}${budget}`);
  const command = commandSentence(v, cwd);
  if (command) out.push(`  ${'command'.padEnd(18)} ${commandOk(v) ? 'PASS' : 'FAIL'}  ${command}`);
  for (const r of v.results) {
    const measured = r.measuredText.padEnd(22);
    const limit = r.limitText.padEnd(18);
    out.push(`  ${r.flag.padEnd(18)} ${measured} limit ${limit} ${statusWord(r, v.strict)}`);
  }
  for (const note of v.notes) out.push(`  note: ${note}`);

  const evidence = evidenceOnce(cwd);
  for (const r of v.results) {
    if (r.status === 'pass') continue;
    out.push('', `${statusWord(r, v.strict)} ${r.flag}: ${r.sentence}`);
    if (r.status === 'no-data' && !v.strict) out.push('  (not a failure; --strict makes it one)');
    r.evidence.forEach((e, i) => {
      if (i > 0) out.push('');
      out.push(...evidence(e).map((l) => `  ${l}`));
    });
  }
  const broken = brokenCount(v);
  const total = v.results.length + (v.command ? 1 : 0);
  out.push('', v.ok
    ? `starve-probe check: PASS (${total} of ${total} hold)`
    : `starve-probe check: FAIL (${broken} of ${total} broken)`);
  return out.join('\n') + '\n';
}
