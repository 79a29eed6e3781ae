import { describe, expect, it } from 'vitest';
import { PRELOAD, fixture, ofType, runUnderProbe, schemaProblems, type ProbeEvent } from './helpers/probe.js';

/**
 * The cases of issue 4, each run under the real preload in a child process:
 * the kind, the site and the recommendation of their blocks are asserted.
 */

const longest = (blocks: ProbeEvent[]): ProbeEvent =>
  blocks.reduce((a, b) => ((a.durationMs as number) >= (b.durationMs as number) ? a : b));

describe('attribution of the starving patterns', () => {
  it('a login route verifying passwords with bcryptjs: health checks miss, the site names the compare call', async () => {
    const run = await runUnderProbe(fixture('attribution/bcrypt-login.mjs'), {
      env: { FIXTURE_SECONDS: '3', STARVE_PROBE_QUIET: '1' },
    });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const missed = /health-client: (\d+) of (\d+) health checks missed/.exec(run.stderr);
    expect(missed).not.toBeNull();
    expect(Number(missed![1])).toBeGreaterThanOrEqual(1);

    const blocks = ofType(run.events, 'block');
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const withStack = blocks.filter((b) => b.stack !== null);
    expect(withStack.length).toBeGreaterThanOrEqual(1);
    for (const block of withStack) {
      expect(block.kind).toBe('cpu');
      expect(block.site).toMatch(/^verifyPassword \(file:.*bcrypt-login\.mjs:13:\d+\)$/);
      expect(block.package).toBe('bcryptjs');
      expect(block.task).toBe('async login');
      // The request it was serving, read from the paused handler's `req`.
      expect(block.unit).toBe('HTTP POST /login');
      expect(block.recommendation).toMatch(/^verifyPassword \(fixtures\/attribution\/bcrypt-login\.mjs:13:\d+\) in async login serving HTTP POST \/login ran JavaScript on the main thread for [\d.]+ m?s, inside the bcryptjs package: use its asynchronous form/);
    }
    const site = (ofType(run.events, 'end')[0]?.summary as { sites: Array<Record<string, unknown>> }).sites[0];
    expect(site).toMatchObject({ package: 'bcryptjs' });
    expect((site?.kinds as Record<string, number>).cpu).toBeGreaterThanOrEqual(1);
  });

  it('one JSON.parse of tens of MB inside a job handler: cpu, at the parse line, move it off the thread', async () => {
    const run = await runUnderProbe(fixture('attribution/json-job.mjs'), { env: { STARVE_PROBE_QUIET: '1' } });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const block = longest(ofType(run.events, 'block'));
    expect(block.durationMs as number).toBeGreaterThan(200);
    expect(block.kind).toBe('cpu');
    expect(block.evidence).toMatchObject({ rule: 'cpu-builtin-in-source', api: 'JSON.parse' });
    expect(block.site).toMatch(/^importCatalog \(file:.*json-job\.mjs:36:\d+\)$/);
    expect(block.task).toBe('async importCatalog');
    expect(block.unit).toBe('job "import-catalog" (id 1)');
    expect(block.recommendation).toMatch(/^One JSON\.parse call at importCatalog \(fixtures\/attribution\/json-job\.mjs:36:\d+\) held the main thread for [\d.]+ m?s: a single call cannot be split/);
  });

  it('a synchronous gzip in an async route: sync-io, use the async zlib.gzip', async () => {
    const run = await runUnderProbe(fixture('attribution/gzip-route.mjs'), { env: { STARVE_PROBE_QUIET: '1' } });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const routeBlocks = ofType(run.events, 'block').filter((b) => String(b.site).startsWith('exportReport '));
    expect(routeBlocks.length).toBeGreaterThanOrEqual(1);
    for (const block of routeBlocks) {
      expect(block.kind).toBe('sync-io');
      expect(block.evidence).toMatchObject({ api: 'zlib.gzipSync' });
      expect(block.recommendation).toMatch(/^zlib\.gzipSync held the main thread for [\d.]+ m?s at exportReport \(fixtures\/attribution\/gzip-route\.mjs:16:\d+\): call zlib\.gzip \(promisified\)/);
    }
  });
});

describe('worker threads of the application', () => {
  it('a worker blocking its own loop is reported with its threadId; the healthy main thread has no blocks', async () => {
    const run = await runUnderProbe(fixture('attribution/app-worker.mjs'), { env: { STARVE_PROBE_QUIET: '1' } });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const ticks = Number(/main thread ticked (\d+) times/.exec(run.stderr)?.[1]);
    expect(ticks).toBeGreaterThan(20);

    const blocks = ofType(run.events, 'block');
    expect(blocks).toHaveLength(2);
    for (const block of blocks) {
      expect(block.threadId).toBeGreaterThanOrEqual(1);
      expect(block.durationMs as number).toBeGreaterThan(500);
      expect(block.stack).toBeNull();
      expect(block.stackError).toMatch(/inspector session reaches only the main thread/);
      expect(block.kind).toBe('unknown');
      expect(block.recommendation).toMatch(new RegExp(`^Worker thread ${String(block.threadId)} was blocked for \\d+ ms but the probe cannot say by what`));
    }
    expect(new Set(blocks.map((b) => b.id)).size).toBe(2);
    expect(ofType(run.events, 'block').filter((b) => b.threadId === undefined)).toEqual([]);
  });
});

describe('a heap held near its limit', () => {
  it('with churn, most blocks whose GC time is known are gc, with the heap numbers in the fix', async () => {
    const run = await runUnderProbe(fixture('attribution/heap-limit.mjs'), {
      nodeArgs: ['--max-old-space-size=96', '--import', PRELOAD],
      // 40 ms: the collector's full pauses on this heap last 40 to 300 ms.
      env: { FIXTURE_SECONDS: '5', STARVE_PROBE_QUIET: '1', STARVE_PROBE_THRESHOLD: '40ms' },
    });
    expect(run.code, run.stderr.slice(0, 400)).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    // A block still open at exit has no GC answer (gcMs null): not counted.
    const measured = ofType(run.events, 'block').filter((b) => b.gcMs !== null);
    const gc = measured.filter((b) => b.kind === 'gc');
    const seen = JSON.stringify(measured.map((b) => [b.kind, b.durationMs, b.gcMs, b.evidence]));
    expect(gc.length, seen).toBeGreaterThanOrEqual(1);
    expect(gc.length * 2, seen).toBeGreaterThan(measured.length);
    for (const block of gc) {
      expect((block.evidence as { rule: string }).rule).toMatch(/^gc-(share|pressure|no-code)$/);
      expect(block.recommendation).toMatch(/^Garbage collection paused the main thread for [\d.]+ ms of this [\d.]+ m?s block(, with the heap at [\d.]+ MiB of its [\d.]+ MiB limit| \(no heap figure yet: the block came before the first sample\)): allocate less .* --max-old-space-size/);
    }
    // Blocks after the first sample carry the heap figures observed.
    for (const block of gc.filter((b) => (b.time as number) > (ofType(run.events, 'sample')[0]?.time as number))) {
      expect(block.recommendation).toMatch(/with the heap at [\d.]+ MiB of its [\d.]+ MiB limit/);
    }
  });
});

describe('saturation', () => {
  it('many 5 ms tasks keep utilization near 1 with no block: one saturation event with its fix', async () => {
    const run = await runUnderProbe(fixture('attribution/busy-small-tasks.mjs'), {
      env: {
        FIXTURE_SECONDS: '3', STARVE_PROBE_QUIET: '1', STARVE_PROBE_SAMPLE_INTERVAL: '250ms',
        STARVE_PROBE_SATURATION_FOR: '1s', STARVE_PROBE_SATURATION_ELU: '0.8',
      },
    });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    expect(ofType(run.events, 'block')).toEqual([]);
    const saturations = ofType(run.events, 'saturation');
    expect(saturations.length).toBeGreaterThanOrEqual(1);
    const longestPeriod = saturations.reduce((a, b) => ((a.periodMs as number) >= (b.periodMs as number) ? a : b));
    expect(longestPeriod.periodMs as number).toBeGreaterThanOrEqual(1000);
    expect(longestPeriod.elu as number).toBeGreaterThanOrEqual(0.8);
    expect(longestPeriod).toMatchObject({ kind: 'saturation', sites: [] });
    expect(longestPeriod.recommendation).toMatch(/^The main thread was busy \d+ % of the time for [\d.]+ s with no single block over 100 ms: .*shed load/);
    const summary = ofType(run.events, 'end')[0]?.summary as { saturation: { periods: number } };
    expect(summary.saturation.periods).toBe(saturations.length);
  });
});
