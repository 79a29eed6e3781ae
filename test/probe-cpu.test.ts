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
      // The pause may land inside Node's own `get performance` getter
      // called from crunch: the application's frames are what must match.
      const own = (block.stack as Array<{ functionName: string; url: string }>).filter((f) => f.url.startsWith('file:'));
      expect(own.slice(0, 2).map((f) => f.functionName)).toEqual(['crunch', 'scoreReport']);
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
