import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, PRELOAD, exec, fixture, ofType, readEvents, schemaProblems, tempDir } from './helpers/probe.js';

/**
 * A process killed while its main thread is blocked (a liveness probe's
 * SIGKILL) writes no `block`. Regression from a new user's trial: such a
 * recording read "Blocks none" and `check --max-block 1s` passed it.
 */
describe('a process killed in the middle of a block', () => {
  it('leaves a recording whose block is counted, at least as long as it had lasted', async () => {
    const out = join(tempDir(), 'killed.ndjson');
    const child = spawn(process.execPath, ['--import', PRELOAD, fixture('killed-mid-block.mjs')], {
      env: { ...process.env, STARVE_PROBE_OUT: out, STARVE_PROBE_QUIET: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve) => child.stderr.on('data', (c: Buffer) => {
      if (String(c).includes('blocking')) resolve();
    }));
    // Observed from this process: let the block run 2.5 s, then kill it.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const events = readEvents(out);
    expect(schemaProblems(events)).toEqual([]);
    expect(ofType(events, 'block')).toEqual([]);
    const ongoing = ofType(events, 'block-ongoing');
    expect(ongoing.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...ongoing.map((e) => e.blockedMs as number))).toBeGreaterThan(1000);

    const report = await exec(process.execPath, [CLI, 'report', '--json', out]);
    expect(report.code).toBe(0);
    const [recording] = (JSON.parse(report.stdout) as { recordings: Array<{ summary: { blocks: number; maxBlockMs: number }; blocks: Array<Record<string, unknown>> }> }).recordings;
    expect(recording!.summary.blocks).toBe(1);
    expect(recording!.summary.maxBlockMs).toBeGreaterThan(1000);
    expect(recording!.blocks[0]).toMatchObject({ unfinished: true, evidence: { rule: 'unfinished' } });
    expect(recording!.blocks[0]!.site).toMatch(/^spinUntilKilled \(/);

    const text = await exec(process.execPath, [CLI, 'report', out]);
    expect(text.stdout).toMatch(/note: 1 block\(s\) were still under way when the recording ended/);

    const check = await exec(process.execPath, [CLI, 'check', '--max-block', '1s', out]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/FAIL max-block: A block lasted [\d.]+ s in spinUntilKilled/);
  });
});
