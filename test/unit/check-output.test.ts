import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, locationOf, renderAnnotations } from '../../src/check/output/github.js';
import { attr, renderJunit, text } from '../../src/check/output/junit.js';
import { renderMarkdown } from '../../src/check/output/markdown.js';
import type { Verdict } from '../../src/check/verdict.js';
import { findAll, parseXml } from '../helpers/xml.js';

const block = {
  id: 3, time: 1, durationMs: 640,
  site: 'crunch (file:///repo/src/score.js:12:5)',
  stack: [{ functionName: 'crunch', url: 'file:///repo/src/score.js', line: 12, column: 5 }],
};

function verdict(over: Partial<Verdict> = {}): Verdict {
  return {
    ok: false,
    strict: false,
    command: null,
    recordings: [{ path: '/repo/.starve-probe/a.ndjson', pid: 7, argv: ['node', 'app.js'], complete: true }],
    budget: null,
    notes: [],
    results: [{
      key: 'maxBlockMs', flag: 'max-block', measures: 'longest block', status: 'fail',
      measured: 640, measuredText: '640 ms', limit: 200, limitText: '200 ms',
      sentence: 'A block lasted 640 ms in crunch (src/score.js:12:5), over the limit of 200 ms.',
      recording: '/repo/.starve-probe/a.ndjson',
      evidence: [{ recording: '/repo/.starve-probe/a.ndjson', pid: 7, block, recommendation: 'Split it.' }],
    }, {
      key: 'maxP99Ms', flag: 'max-p99', measures: 'event-loop delay p99', status: 'no-data',
      measured: null, measuredText: 'no data', limit: 50, limitText: '50 ms',
      sentence: 'Not enough data for the event-loop delay p99: no delay.',
      recording: null, evidence: [],
    }],
    ...over,
  };
}

describe('JUnit escaping', () => {
  it('keeps text well-formed whatever it holds: markup, entities, control characters, lone surrogates', () => {
    const nasty = 'a<b>&c"d\'e\u0001f\u001Fg\uD800h\uDC00i\u{1F600}j\tk\nl';
    const xml = `<r a="${attr(nasty)}">${text(nasty)}</r>`;
    const root = parseXml(xml);
    expect(root.attributes.a).toBe('a<b>&c"d\'efghi\u{1F600}j\tk\nl');
    expect(root.text).toBe('a<b>&c"d\'efghi\u{1F600}j\tk\nl');
  });

  it('marks a limit without data as skipped, and as a failure under --strict', () => {
    const lenient = parseXml(renderJunit(verdict(), '/repo', new Date(0)));
    expect(lenient.attributes).toMatchObject({ tests: '2', failures: '1', skipped: '1' });
    const strict = parseXml(renderJunit(verdict({ strict: true }), '/repo', new Date(0)));
    expect(strict.attributes).toMatchObject({ tests: '2', failures: '2', skipped: '0' });
    expect(findAll(strict, 'failure')[1]?.text).toMatch(/^FAIL \(no data\) max-p99: Not enough data/);
  });

  it('adds a test case for the command, failing when it failed', () => {
    const v = verdict({ command: { argv: ['npm', 'test'], code: 1, signal: null } });
    const root = parseXml(renderJunit(v, '/repo', new Date(0)));
    const [first] = findAll(root, 'testcase');
    expect(first?.attributes.name).toBe('command exits with code 0');
    expect(findAll(first as never, 'failure')[0]?.attributes.message).toBe('The command npm test exited with code 1.');
  });
});

describe('GitHub Actions annotations', () => {
  it('escape % and line breaks in messages, and also : and , in properties', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });

  it('point at the site\'s file relative to the workspace, and at no file outside it', () => {
    const evidence = { recording: 'x', pid: 1, block, recommendation: '' };
    expect(locationOf(evidence, '/repo')).toEqual({ file: 'src/score.js', line: '12', col: '5' });
    expect(locationOf(evidence, '/elsewhere')).toEqual({});
    expect(locationOf({ ...evidence, block: null }, '/repo')).toEqual({});
  });

  it('are an error per failure, a warning per limit without data (an error under --strict)', () => {
    const lines = renderAnnotations(verdict(), { workspace: '/repo', summaryFile: undefined }).trim().split('\n');
    expect(lines).toEqual([
      '::error file=src/score.js,line=12,col=5,title=starve-probe --max-block::A block lasted 640 ms in crunch (src/score.js:12:5), over the limit of 200 ms.%0ASplit it.',
      '::warning title=starve-probe --max-p99::Not enough data for the event-loop delay p99: no delay.',
    ]);
    const strict = renderAnnotations(verdict({ strict: true }), { workspace: '/repo', summaryFile: undefined });
    expect(strict).toContain('::error title=starve-probe --max-p99::');
  });
});

describe('Markdown', () => {
  it('escapes table cells and keeps evidence in a fence that cannot be closed from inside', () => {
    const v = verdict();
    const result = v.results[0];
    if (!result) throw new Error('no result');
    result.measuredText = 'a | b';
    const evidence = result.evidence[0];
    if (!evidence?.block) throw new Error('no evidence');
    evidence.block = { ...block, site: 'x```y (file:///repo/a.js:1:1)' };
    const md = renderMarkdown(v, '/repo');
    expect(md).toContain('| `--max-block` | a \\| b | 200 ms | **FAIL** |');
    expect(md).toContain('| `--max-p99` | no data | 50 ms | **NO DATA** |');
    expect(md.match(/^```/gm)).toHaveLength(2);
  });
});
