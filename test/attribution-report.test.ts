import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, exec, fixture, ofType, readEvents, runUnderProbe, schemaProblems, tempDir } from './helpers/probe.js';
import { hottestFunctions, isCpuProfile } from '../src/attribution/profile-hot.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = tempDir()) =>
  exec(process.execPath, [CLI, ...args], { env, cwd });

describe('--profile', () => {
  it('records a valid .cpuprofile during the block, linked from the block, whose hottest function blocked', async () => {
    const out = join(tempDir(), 'run.ndjson');
    const result = await cli(['run', '--profile', '--quiet', '--out', out, '--', process.execPath,
      fixture('attribution/profile-target.mjs')]);
    expect(result.code).toBe(0);
    const events = readEvents(out);
    expect(schemaProblems(events)).toEqual([]);
    const blocks = ofType(events, 'block');
    expect(blocks).toHaveLength(1);
    const block = blocks[0]!;
    expect(block.profile).toBe(join(dirname(out), `run.${String(block.id)}.cpuprofile`));

    const profile = JSON.parse(readFileSync(block.profile as string, 'utf8')) as unknown;
    expect(isCpuProfile(profile)).toBe(true);
    if (!isCpuProfile(profile)) return;
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.samples.length).toBe(profile.timeDeltas.length);
    expect(profile.samples.length).toBeGreaterThan(50);
    expect(profile.endTime).toBeGreaterThan(profile.startTime);
    // The profile starts at 2× the threshold (200 ms) into the block and ends with it.
    const spanMs = (profile.endTime - profile.startTime) / 1000;
    expect(spanMs).toBeGreaterThan(100);
    expect(spanMs).toBeLessThan((block.durationMs as number) + 50);
    const [hottest] = hottestFunctions(profile);
    expect(hottest?.functionName).toBe('fibonacci');
    expect(hottest?.share).toBeGreaterThan(0.5);

    const report = await cli(['report', out]);
    expect(report.stdout).toMatch(/CPU profile of block \d+ \([\d.]+ ms\): .*run\.\d+\.cpuprofile\n +[\d.]+ ms self +\d+ % {2}fibonacci \(.*profile-target\.mjs:4\)/);
  });

  it('writes no profile without the option', async () => {
    const run = await runUnderProbe(fixture('attribution/profile-target.mjs'), { env: { STARVE_PROBE_QUIET: '1' } });
    expect(ofType(run.events, 'block')[0]?.profile).toBeUndefined();
    expect(readdirSync(dirname(run.recording)).filter((f) => f.endsWith('.cpuprofile'))).toEqual([]);
  });
});

describe('the report leads with the findings', () => {
  it('top offenders with kind and fix come before the details; --json carries the same', async () => {
    const run = await runUnderProbe(fixture('attribution/gzip-route.mjs'), { env: { STARVE_PROBE_QUIET: '1' } });
    const text = (await cli(['report', run.recording], {}, ROOT)).stdout;
    const top = text.indexOf('Top offenders (most blocked time first), and their fixes');
    expect(top).toBeGreaterThan(0);
    expect(top).toBeLessThan(text.indexOf('Event-loop delay'));
    expect(text).toMatch(/ {2}1\. exportReport \(fixtures\/attribution\/gzip-route\.mjs:16:\d+\)\n {5}sync-io; \d block\(s\)/);
    expect(text).toMatch(/ {5}Fix: zlib\.gzipSync held the main thread/);

    const json = JSON.parse((await cli(['report', '--json', run.recording])).stdout) as {
      recordings: Array<{ findings: { topOffenders: Array<Record<string, unknown>>; saturations: unknown[] } }>;
    };
    const first = json.recordings[0]!.findings.topOffenders[0]!;
    expect(first.site).toMatch(/^exportReport /);
    expect(first.kinds).toMatchObject({ 'sync-io': expect.any(Number) });
    expect(first.recommendation).toMatch(/^zlib\.gzipSync held/);
    expect(json.recordings[0]!.findings.saturations).toEqual([]);
    expect(existsSync(run.recording)).toBe(true);
  });
});
