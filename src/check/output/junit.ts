import type { Verdict } from '../verdict.js';
import { commandOk, commandSentence, evidenceLines, statusWord } from './evidence.js';

/**
 * JUnit XML, the report format CI systems render natively: one test case
 * per limit (plus one for the command's exit code when check ran it); a
 * broken limit is a <failure> whose body is the evidence; a limit without
 * data is <skipped>, or a failure under --strict.
 */

const SUITE = 'starve-probe check';

export function renderJunit(v: Verdict, cwd: string, timestamp: Date): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  const command = commandSentence(v, cwd);
  if (v.command && command) {
    const ok = commandOk(v);
    if (!ok) failures++;
    cases.push(testCase('command exits with code 0', ok ? null : { message: command, body: command }));
  }
  for (const r of v.results) {
    const name = `${r.flag}: ${r.measures} within ${r.limitText}`;
    if (r.status === 'pass') {
      cases.push(testCase(name, null, `${r.sentence}`));
    } else if (r.status === 'no-data' && !v.strict) {
      skipped++;
      cases.push(`    <testcase name="${attr(name)}" classname="${attr(SUITE)}">\n      <skipped message="${attr(r.sentence)}"/>\n    </testcase>`);
    } else {
      failures++;
      const body = [`${statusWord(r, v.strict)} ${r.flag}: ${r.sentence}`, ...r.evidence.flatMap((e) => ['', ...evidenceLines(e, cwd)])].join('\n');
      cases.push(testCase(name, { message: r.sentence, body }));
    }
  }
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(SUITE)}" ${counts}>`,
    `  <testsuite name="${attr(SUITE)}" ${counts} timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, '')}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testCase(name: string, failure: { message: string; body: string } | null, out?: string): string {
  const open = `    <testcase name="${attr(name)}" classname="${attr(SUITE)}">`;
  const inner = failure
    ? `      <failure message="${attr(failure.message)}" type="starvation">${text(failure.body)}</failure>`
    : `      <system-out>${text(out ?? '')}</system-out>`;
  return `${open}\n${inner}\n    </testcase>`;
}

/**
 * XML 1.0 allows no control characters but tab, newline and carriage
 * return, not even as references: they are dropped. Lone surrogates are
 * not characters either.
 */
function clean(value: string): string {
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

export function text(value: string): string {
  return clean(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
