import { describe, expect, it } from 'vitest';
import { classify, followsAwait, type KindInput, type StackSample } from '../../src/attribution/kind.js';
import { syncApiInSource, syncApiOfFrame } from '../../src/attribution/sync-apis.js';
import { taskOf } from '../../src/attribution/task.js';

const PROBE = 'file:///opt/app/node_modules/starve-probe/dist/';
const APP = 'file:///opt/app/src/jobs.js';
const frame = (functionName: string, url: string, line = 1, column = 1, extra: object = {}) =>
  ({ functionName, url, line, column, ...extra });

/** A tiny source file for the rules that read lines. */
const SOURCE: Record<string, string[]> = {
  [APP]: [
    'async function drain() {',                  // 1
    '  while (performance.now() < until) {',     // 2
    '    await null;',                           // 3
    '    steps++;',                              // 4
    '  }',                                       // 5
    '}',                                         // 6
    'function crunch() {',                       // 7
    '  while (performance.now() < until) x += Math.sqrt(x);', // 8
    '}',                                         // 9
    'async function handler(job) {',             // 10
    '  const doc = JSON.parse(text);',           // 11
    '  return summarize(doc);',                  // 12
    '  const out = zlib.gzipSync(buffer);',      // 13
    '  await save(out);',                        // 14
  ],
};
const sourceLine = (url: string, line: number): string | null => SOURCE[url]?.[line - 1] ?? null;

function input(samples: StackSample[], extra: Partial<KindInput> = {}): KindInput {
  return { durationMs: 600, gcMs: 10, samples, probeUrlPrefix: PROBE, sourceLine, ...extra };
}
const sample = (...frames: ReturnType<typeof frame>[]): StackSample => ({ frames, atMs: 100 });

describe('the kind of a block', () => {
  it('is gc when GC pauses cover at least half of it, whatever the stack says', () => {
    const c = classify(input([sample(frame('crunch', APP, 8))], { gcMs: 400 }));
    expect(c).toMatchObject({ kind: 'gc', evidence: { rule: 'gc-share', gcMs: 400, share: 0.67 } });
  });

  it('is gc under sustained pressure: a quarter of the block, after an interval with 30 % GC', () => {
    const pressed = classify(input([sample(frame('crunch', APP, 8))], { gcMs: 180, recentGcShare: 0.4 }));
    expect(pressed).toMatchObject({ kind: 'gc', evidence: { rule: 'gc-pressure', share: 0.3, recentGcShare: 0.4 } });
    const calm = classify(input([sample(frame('crunch', APP, 8))], { gcMs: 180, recentGcShare: 0.1 }));
    expect(calm.kind).toBe('cpu');
  });

  it('is gc when a quarter of the block was GC and the samples showed no code running', () => {
    const internals = sample(frame('observerCallback', 'node:internal/perf/observe', 532));
    expect(classify(input([internals], { gcMs: 160 }))).toMatchObject({ kind: 'gc', evidence: { rule: 'gc-no-code' } });
    expect(classify(input([internals], { gcMs: 60 })).kind).toBe('unknown');
    expect(classify(input([], { gcMs: 160, stackError: 'none' })).kind).toBe('unknown');
  });

  it('is sync-io when Node\'s wrapper of a sync API is on the stack, naming the call the app made', () => {
    const c = classify(input([sample(
      frame('closeSync', 'node:fs', 525), frame('readFileSync', 'node:fs', 487), frame('load', APP, 4),
    )]));
    expect(c).toMatchObject({ kind: 'sync-io', evidence: { rule: 'sync-api-on-stack', api: 'fs.readFileSync' } });
  });

  it('is sync-io when the pause landed just after a sync call written on the line before', () => {
    const c = classify(input([sample(frame('handler', APP, 14, 3))]));
    expect(c.kind).toBe('sync-io');
    expect(c.evidence).toMatchObject({ rule: 'sync-api-in-source', api: 'zlib.gzipSync', at: `${APP}:13` });
    expect(c.callSite).toMatchObject({ functionName: 'handler', line: 13 });
  });

  it('is cpu naming JSON.parse when a caller\'s line made that one long call', () => {
    const c = classify(input([sample(frame('summarize', APP, 20), frame('handler', APP, 12, 10))]));
    expect(c).toMatchObject({ kind: 'cpu', evidence: { rule: 'cpu-builtin-in-source', api: 'JSON.parse' } });
    expect(c.callSite).toMatchObject({ functionName: 'handler', line: 11, column: 20 });
  });

  it('is microtasks when every sample is a one-frame continuation off the queue, in a loop that awaits', () => {
    const continuation = sample(frame('drain', APP, 4, 5));
    const atHeader = sample(frame('now', 'node:internal/perf/utils', 1), frame('drain', APP, 2, 10));
    const c = classify(input([continuation, atHeader, continuation]));
    expect(c).toMatchObject({ kind: 'microtasks', evidence: { rule: 'microtask-continuations', samples: 3 } });
  });

  it('counts a pause inside Node\'s queue runner, between continuations, as consistent with microtasks', () => {
    const between = sample(frame('runNextTicks', 'node:internal/process/task_queues', 60), frame('processTimers', 'node:internal/timers', 512));
    const c = classify(input([between, sample(frame('drain', APP, 4, 5))]));
    expect(c.kind).toBe('microtasks');
    expect(classify(input([between, between])).kind).toBe('unknown');
  });

  it('is cpu, not microtasks, for one long loop in a function resumed from the queue', () => {
    const c = classify(input([sample(frame('crunch', APP, 8, 3)), sample(frame('crunch', APP, 8, 30))]));
    expect(c).toMatchObject({ kind: 'cpu', evidence: { rule: 'js-on-stack', samples: 2 } });
  });

  it('needs two samples to call a block microtasks: one continuation alone is cpu', () => {
    expect(classify(input([sample(frame('drain', APP, 4, 5))])).kind).toBe('cpu');
  });

  it('is not microtasks when the continuation calls deeper code (a long call under an await)', () => {
    const deep = sample(frame('crunch', APP, 8), frame('drain', APP, 3));
    expect(classify(input([deep, deep])).kind).toBe('cpu');
  });

  it('is unknown without a stack when GC does not explain the block, and says why', () => {
    const c = classify(input([], { stackError: 'the block ended before the main thread could be paused' }));
    expect(c).toEqual({
      kind: 'unknown',
      evidence: { rule: 'no-evidence', reason: 'the block ended before the main thread could be paused', gcMs: 10 },
    });
  });

  it('is unknown when GC is not known and there is no stack (worker threads)', () => {
    expect(classify(input([], { gcMs: null, stackError: 'no stack in worker threads' })).kind).toBe('unknown');
  });
});

describe('rules on source lines', () => {
  it('a loop header counts as a continuation only when the loop body awaits', () => {
    expect(followsAwait(frame('drain', APP, 2), sourceLine)).toBe(true);
    expect(followsAwait(frame('crunch', APP, 8), sourceLine)).toBe(false);
  });

  it('finds sync APIs in source text and in Node frames, not in look-alikes', () => {
    expect(syncApiInSource('const b = gzipSync(data, { level: 9 });')?.api).toBe('zlib.gzipSync');
    expect(syncApiInSource('execSync("ls")')?.api).toBe('child_process.execSync');
    expect(syncApiInSource('Atomics.wait(view, 0, 0)')?.api).toBe('Atomics.wait');
    expect(syncApiInSource('await fs.promises.readFile(p)')).toBeNull();
    expect(syncApiInSource('mySync(x)')).toBeNull();
    expect(syncApiOfFrame('pbkdf2Sync', 'node:internal/crypto/pbkdf2')?.api).toBe('crypto.pbkdf2Sync');
    expect(syncApiOfFrame('readFileSync', 'file:///opt/app/my-fs.js')).toBeNull();
  });
});

describe('the task of a block', () => {
  const TASKS = 'file:///opt/app/src/tasks.js';
  const lines: Record<number, string> = {
    1: 'async function scoreReport(a) { return crunch(a); }',
    2: 'function crunch(a) { while (true) {} }',
    3: 'const o = { async m2() { return 1; }, plain() { return 2; } };',
  };
  const read = (url: string, line: number) => (url === TASKS ? lines[line] ?? null : null);

  it('is the innermost async function of the application on the stack', () => {
    const frames = [
      frame('crunch', TASKS, 2, 30, { functionLine: 2, functionColumn: 16 }),
      frame('scoreReport', TASKS, 1, 40, { functionLine: 1, functionColumn: 27 }),
    ];
    expect(taskOf(frames, PROBE, read)).toBe('async scoreReport');
  });

  it('tells async methods from plain ones on the same line', () => {
    expect(taskOf([frame('plain', TASKS, 3, 50, { functionLine: 3, functionColumn: 50 })], PROBE, read)).toBeNull();
    expect(taskOf([frame('m2', TASKS, 3, 25, { functionLine: 3, functionColumn: 21 })], PROBE, read)).toBe('async m2');
  });

  it('says a BullMQ job processor is one when BullMQ is further down the stack', () => {
    const frames = [
      frame('scoreReport', TASKS, 1, 40, { functionLine: 1, functionColumn: 27 }),
      frame('processJob', 'file:///opt/app/node_modules/bullmq/dist/esm/classes/worker.js', 400),
    ];
    expect(taskOf(frames, PROBE, read)).toBe('async scoreReport (BullMQ job processor)');
  });
});
