import { appendFileSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, exec, fixture, runUnderProbe, tempDir } from './helpers/probe.js';

const report = (args: string[], cwd?: string) => exec(process.execPath, [CLI, 'report', ...args], { cwd: cwd ?? tempDir() });
let recording = '';

beforeAll(async () => {
  const run = await runUnderProbe(fixture('cpu-async.mjs'), { env: { FIXTURE_ROUNDS: '2', FIXTURE_BLOCK_MS: '400', STARVE_PROBE_QUIET: '1' } });
  recording = run.recording;
});

describe('starve-probe report', () => {
  it('summarises delay, utilization, GC and blocks grouped by site with the worst stack', async () => {
    const result = await report([recording]);
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toMatch(/Event-loop delay {2}p50 [\d.]+ ms {2}p90 [\d.]+ ms {2}p99 \d+ ms {2}max \d+ ms/);
    expect(text).toMatch(/Utilization {7}\d+ % on average/);
    expect(text).toMatch(/Blocks {12}2 over 100 ms: /);
    expect(text).toMatch(/\n {6}2 +\d+ ms +\d+ ms +\d+ ms {2}crunch \(.*cpu-async\.mjs:\d+:\d+\)/);
    // Node's own frames (the `performance` getter) may come first.
    expect(text).toMatch(/Stack of the longest block at the top site \([\d.]+ ms\):\n( {4}at .*\(node:.*\n)* {4}at crunch /);
  });

  it('prints the same as JSON with --json', async () => {
    const result = await report(['--json', recording]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { recordings: Array<{ summary: { blocks: number; sites: Array<{ site: string; count: number }> } }> };
    expect(json.recordings[0]?.summary.blocks).toBe(2);
    expect(json.recordings[0]?.summary.sites[0]).toMatchObject({ count: 2 });
    expect(json.recordings[0]?.summary.sites[0]?.site).toMatch(/^crunch /);
  });

  it('reads a recording cut short by a kill, and says so', async () => {
    const dir = tempDir();
    const cut = join(dir, 'cut.ndjson');
    const lines = readFileSync(recording, 'utf8').split('\n').filter(Boolean);
    const withoutEnd = lines.filter((l) => !l.includes('"type":"end"'));
    writeFileSync(cut, withoutEnd.join('\n') + '\n');
    appendFileSync(cut, '{"type":"sample","time":17963');
    const result = await report([cut]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('note: the last line was cut short');
    expect(result.stdout).toContain('note: no end event');
    expect(result.stdout).toMatch(/Blocks {12}2 over 100 ms/);
    expect(result.stderr).toContain('the last line was cut short and was skipped');
  });

  it.each([
    ['a missing file', (dir: string) => join(dir, 'nope.ndjson'), /cannot read recording .*nope\.ndjson: no such file/],
    ['an empty file', (dir: string) => { const p = join(dir, 'empty.ndjson'); writeFileSync(p, ''); return p; }, /empty\.ndjson is empty: not a starve-probe recording/],
    ['a file that is not a recording', (dir: string) => { const p = join(dir, 'notes.txt'); writeFileSync(p, 'hello\nworld\n'); return p; }, /notes\.txt is not a starve-probe recording: its first line is not a "start" event/],
    ['JSON of another kind', (dir: string) => { const p = join(dir, 'pkg.json'); writeFileSync(p, '{"name":"x","time":1,"type":"module"}\n'); return p; }, /is not a starve-probe recording/],
    ['an empty directory', (dir: string) => { const p = join(dir, 'sub'); mkdirSync(p); return p; }, /holds no \.ndjson recordings/],
  ])('refuses %s with exit code 2 and a clear message', async (_what, make, message) => {
    const dir = tempDir();
    const result = await report([make(dir)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads the newest recording in ./.starve-probe when given none', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.starve-probe'));
    writeFileSync(join(dir, '.starve-probe', 'a.ndjson'), readFileSync(recording));
    const result = await report([], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('starve-probe report:');
  });
});
