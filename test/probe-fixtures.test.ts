import { describe, expect, it } from 'vitest';
import { PRELOAD, PRELOAD_CJS, fixture, ofType, runUnderProbe, schemaProblems, type ProbeEvent } from './helpers/probe.js';

const names = (block: ProbeEvent): string[] =>
  ((block.stack as Array<{ functionName: string }> | null) ?? []).map((f) => f.functionName);

describe('the probe diagnoses each starving pattern', () => {
  it('a synchronous crypto call inside an async function: site and stack name it', async () => {
    const run = await runUnderProbe(fixture('sync-call.mjs'), { env: { FIXTURE_SYNC: 'pbkdf2' } });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const blocks = ofType(run.events, 'block');
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    const longest = blocks.reduce((a, b) => ((a.durationMs as number) >= (b.durationMs as number) ? a : b));
    expect(longest.durationMs as number).toBeGreaterThan(200);
    expect(longest.site).toMatch(/^hashPassword \(file:.*sync-call\.mjs:\d+:\d+\)$/);
    expect(names(longest)).toContain('pbkdf2Sync');
    expect(longest).toMatchObject({ kind: 'sync-io', evidence: { api: 'crypto.pbkdf2Sync' } });
    expect(longest.recommendation).toContain('call crypto.pbkdf2 (with a callback or util.promisify) instead');
  });

  it('readFileSync in a loop: the stack shows the synchronous API', async () => {
    const run = await runUnderProbe(fixture('sync-call.mjs'), { env: { FIXTURE_SYNC: 'readfile' } });
    const block = ofType(run.events, 'block')[0];
    expect(block?.site).toMatch(/^loadTemplates /);
    expect(names(block!)).toContain('readFileSync');
    expect(block).toMatchObject({ kind: 'sync-io', evidence: { api: 'fs.readFileSync' } });
    expect(block?.recommendation).toContain('fs.promises.readFile');
  });

  it('a flood of promise continuations starves timers and is caught as a block', async () => {
    const run = await runUnderProbe(fixture('microtask-flood.mjs'), { env: { FIXTURE_FLOOD: 'chain', FIXTURE_BLOCK_MS: '600' } });
    expect(run.code).toBe(0);
    const blocks = ofType(run.events, 'block');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.durationMs as number).toBeGreaterThan(500);
    expect(blocks[0]!.site).toMatch(/^drainQueue /);
    expect(blocks[0]).toMatchObject({ kind: 'microtasks', evidence: { rule: 'microtask-continuations' } });
    expect(blocks[0]!.recommendation).toContain('bound the concurrency of the Promise.all');
  });

  it('heavy allocation on a small heap: blocks carry the GC pause inside them', async () => {
    const run = await runUnderProbe(fixture('gc-pressure.mjs'), {
      nodeArgs: ['--max-old-space-size=96', '--import', PRELOAD],
      env: { FIXTURE_SECONDS: '3' },
    });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const blocks = ofType(run.events, 'block');
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    const gcInBlocks = blocks.reduce((sum, b) => sum + ((b.gcMs as number | null) ?? 0), 0);
    expect(gcInBlocks).toBeGreaterThan(50);
    // A block still open when the process exits has no GC answer (null).
    for (const b of blocks.filter((b) => b.gcMs !== null)) {
      expect(b.gcMs as number).toBeLessThanOrEqual((b.durationMs as number) + 1);
    }
    const gcInSamples = ofType(run.events, 'sample').reduce((sum, s) => sum + (s.gcMs as number), 0);
    expect(gcInSamples).toBeGreaterThanOrEqual(gcInBlocks - 1);
  });

  it('a healthy HTTP server under load reports no blocks', async () => {
    const run = await runUnderProbe(fixture('healthy-http.mjs'), { env: { FIXTURE_SECONDS: '3' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/healthy-http: \d+ requests/);
    expect(ofType(run.events, 'block')).toEqual([]);
    const samples = ofType(run.events, 'sample');
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples.some((s) => (s.elu as number) > 0.2)).toBe(true);
  });

  it.each([
    ['moved to a worker thread', 'cpu-fixed-worker.mjs'],
    ['chunked with yields', 'cpu-chunked.mjs'],
  ])('the fixed twin of the CPU loop (%s) reports no blocks', async (_how, file) => {
    const run = await runUnderProbe(fixture(file), { env: { FIXTURE_BLOCK_MS: '600', FIXTURE_ROUNDS: '2' } });
    expect(run.code).toBe(0);
    expect(ofType(run.events, 'block')).toEqual([]);
    expect(ofType(run.events, 'end')[0]?.summary).toMatchObject({ blocks: 0 });
  });

  it('works as a CommonJS preload: node --require starve-probe app.cjs', async () => {
    const run = await runUnderProbe(fixture('cpu-async.cjs'), { nodeArgs: ['--require', PRELOAD_CJS] });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const blocks = ofType(run.events, 'block');
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.site).toMatch(/^crunch \(file:.*cpu-async\.cjs:\d+:\d+\)$/);
    expect(blocks[0]).toMatchObject({ kind: 'cpu', task: 'async scoreReport' });
  });
});
