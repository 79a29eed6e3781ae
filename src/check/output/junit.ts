import type { LimitResult, Verdict } from '../verdict.js';
import { commandOk, commandSentence, evidenceLines, statusWord } from './evidence.js';

/**
 * JUnit XML, the report format CI systems render natively: one test case
 * per limit (plus one for the command's exit code when check ran it); a
 * broken limit is a <failure> whose body is the evidence; a limit without
 * data is <skipped>, or a failure under --strict.
 */

const SUITE = 'starve-probe check';

type Outcome =
  | { kind: 'pass'; out: string }
  | { kind: 'skipped'; message: string }
  | { kind: 'failure'; message: string; body: string };

export function renderJunit(v: Verdict, cwd: string, timestamp: Date): string {
  const cases: Array<{ name: string; outcome: Outcome }> = [];
  const command = commandSentence(v, cwd);
  if (v.command && command) {
    const outcome: Outcome = commandOk(v)
      ? { kind: 'pass', out: command }
      : { kind: 'failure', message: command, body: command };
    cases.push({ name: 'command exits with code 0', outcome });
  }
  for (const r of v.results) {
    const name = `${r.flag}: ${r.measures} within ${r.limitText}`;
    cases.push({ name, outcome: outcomeOf(r, v.strict, cwd) });
  }

  const failures = cases.filter((c) => c.outcome.kind === 'failure').length;
  const skipped = cases.filter((c) => c.outcome.kind === 'skipped').length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  const time = timestamp.toISOString().replace(/\.\d+Z$/, '');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(SUITE)}" ${counts}>`,
    `  <testsuite name="${attr(SUITE)}" ${counts} timestamp="${time}">`,
    ...cases.map((c) => testCase(c.name, c.outcome)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function outcomeOf(r: LimitResult, strict: boolean, cwd: string): Outcome {
  if (r.status === 'pass') return { kind: 'pass', out: r.sentence };
  if (r.status === 'no-data' && !strict) return { kind: 'skipped', message: r.sentence };
  const evidence = r.evidence.flatMap((e) => ['', ...evidenceLines(e, cwd)]);
  const body = [`${statusWord(r, strict)} ${r.flag}: ${r.sentence}`, ...evidence].join('\n');
  return { kind: 'failure', message: r.sentence, body };
}

function testCase(name: string, outcome: Outcome): string {
  const open = `    <testcase name="${attr(name)}" classname="${attr(SUITE)}">`;
  let inner: string;
  if (outcome.kind === 'pass') {
    inner = `<system-out>${text(outcome.out)}</system-out>`;
  } else if (outcome.kind === 'skipped') {
    inner = `<skipped message="${attr(outcome.message)}"/>`;
  } else {
    const message = attr(outcome.message);
    inner = `<failure message="${message}" type="starvation">${text(outcome.body)}</failure>`;
  }
  return `${open}\n      ${inner}\n    </testcase>`;
}

/**
 * XML 1.0 allows no control characters but tab, newline and carriage
 * return, not even as references: they are dropped. Lone surrogates are
 * not characters either.
 */
const NOT_XML = new RegExp([
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]',
  '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])',
  '(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
].join('|'), 'g');

export function text(value: string): string {
  return value
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Attribute values also lose their line breaks unless written as references. */
export function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
