import { describe, expect, it } from 'vitest';
import { fixture, ofType, runUnderProbe, schemaProblems } from './helpers/probe.js';

describe('a CPU-bound loop inside an async function', () => {
  it('is caught while it runs, named by its function, and timed within the heartbeat', async () => {
    const run = await runUnderProbe(fixture('cpu-async.mjs'), { env: { FIXTURE_BLOCK_MS: '600', FIXTURE_ROUNDS: '2' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(schemaProblems(run.events)).toEqual([]);

    const blocks = ofType(run.events, 'block');
    expect(blocks).toHaveLength(2);
    for (const block of blocks) {
      expect(block.durationMs as number).toBeGreaterThan(550);
      expect(block.durationMs as number).toBeLessThan(1000);
      expect(block.site).toMatch(/^crunch \(file:\/\/.*fixtures\/cpu-async\.mjs:\d+:\d+\)$/);
      // Node's own frames may sit on top (the pause can land in the
      // `performance` getter that crunch calls): compare the app's frames.
      const names = (block.stack as Array<{ functionName: string; url: string }>)
        .filter((f) => !f.url.startsWith('node:')).map((f) => f.functionName);
      expect(names.slice(0, 2)).toEqual(['crunch', 'scoreReport']);
      expect(block).toMatchObject({ kind: 'cpu', task: 'async scoreReport', evidence: { rule: 'js-on-stack' } });
      expect(block.recommendation).toMatch(/^crunch \(fixtures\/cpu-async\.mjs:\d+:\d+\) in async scoreReport ran JavaScript on the main thread for [\d.]+ ms: move this work to a worker thread/);
    }
    const starts = ofType(run.events, 'block-start');
    expect(starts).toHaveLength(2);
    // block-start is written while the block is going on: before it ends.
    for (const [i, start] of starts.entries()) {
      const block = blocks[i]!;
      expect(start.time).toBeLessThan((block.time as number) + (block.durationMs as number));
    }
    const end = ofType(run.events, 'end')[0];
    expect(end?.summary).toMatchObject({ blocks: 2 });
  });
});
