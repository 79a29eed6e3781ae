import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, exec, fixture, ofType, readEvents, runUnderProbe, tempDir } from './helpers/probe.js';
import { findAll, parseXml } from './helpers/xml.js';

/**
 * `starve-probe check` through the built CLI in child processes, on real
 * runs of fixtures (lease limits on the synthetic recordings of
 * test/data/, see its README).
 */

const check = (args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) =>
  exec(process.execPath, [CLI, 'check', ...args], { env: { GITHUB_ACTIONS: '', ...options.env }, cwd: options.cwd ?? tempDir() });
const data = (name: string): string => join(ROOT, 'test/data', name);
const limitLine = (flag: string, status: string) => new RegExp(`\\n  ${flag} +.+ limit .+ ${status}\\n`);
const noStackTrace = /\n\s+at .*(node:internal|dist\/)/;

const recordings: Record<string, string> = {};
const QUIET = { STARVE_PROBE_QUIET: '1' };

beforeAll(async () => {
  const runs: Array<[string, string, NodeJS.ProcessEnv]> = [
    ['cpuAsync', 'cpu-async.mjs', { FIXTURE_ROUNDS: '2', FIXTURE_BLOCK_MS: '500' }],
    ['chunked', 'cpu-chunked.mjs', { FIXTURE_ROUNDS: '2', FIXTURE_BLOCK_MS: '500' }],
    ['healthy', 'healthy-http.mjs', { FIXTURE_SECONDS: '2' }],
    ['steady', 'check/steady-lag.mjs', { FIXTURE_SECONDS: '2' }],
    ['idle', 'check/idle.mjs', {}],
  ];
  for (const [name, script, env] of runs) {
    recordings[name] = (await runUnderProbe(fixture(script), { env: { ...QUIET, ...env } })).recording;
  }
}, 120_000);

describe('starve-probe check on real recordings, limit by limit', () => {
  it.each([
    ['max-p99', '200ms', 'cpuAsync', 'healthy'],
    ['max-p50', '20ms', 'steady', 'idle'],
    ['max-block', '200ms', 'cpuAsync', 'chunked'],
    ['max-blocked', '500ms', 'cpuAsync', 'chunked'],
    ['max-blocked-ratio', '10%', 'cpuAsync', 'chunked'],
    ['max-blocks', '1', 'cpuAsync', 'chunked'],
    ['max-elu', '0.5', 'steady', 'idle'],
  ])('--%s %s fails the %s run and passes the %s run', async (flag, value, failing, passing) => {
    const fail = await check([`--${flag}`, value, recordings[failing] as string]);
    expect(fail.code, fail.stdout + fail.stderr).toBe(1);
    expect(fail.stdout).toMatch(limitLine(flag, 'FAIL'));
    expect(fail.stdout).toMatch(new RegExp(`\\nFAIL ${flag}: .*over the limit of`));
    expect(fail.stdout).toMatch(/\nstarve-probe check: FAIL \(1 of 1 broken\)\n$/);

    const pass = await check([`--${flag}`, value, recordings[passing] as string]);
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(limitLine(flag, 'PASS'));
    expect(pass.stdout).toMatch(/\nstarve-probe check: PASS \(1 of 1 hold\)\n$/);
  });

  it('shows the worst block as evidence: site, stack and recommendation', async () => {
    const result = await check(['--max-block', '200ms', '--max-p99', '200ms', recordings.cpuAsync as string], { cwd: ROOT });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\nFAIL max-p99: The event-loop delay p99 was \d+ ms, over the limit of 200 ms\.\n/);
    // The pause may land in a Node getter crunch calls (performance.now): frames above it are allowed.
    expect(result.stdout).toMatch(/ {2}site: crunch \(fixtures\/cpu-async\.mjs:\d+:\d+\)\n {2}kind: cpu\n {2}stack:\n( {4}at .*\n)*? {4}at crunch \(fixtures\/cpu-async\.mjs:\d+:\d+\)\n {4}at scoreReport /);
    // The block's own finding, from the probe's attribution, is the evidence.
    expect(result.stdout).toMatch(/ {2}kind: cpu\n/);
    expect(result.stdout).toMatch(/ {2}recommendation: crunch \(fixtures\/cpu-async\.mjs:\d+:\d+\) in async scoreReport ran JavaScript on the main thread for [\d.]+ ms: move this work to a worker thread/);
    // The same block breaks both limits; it is shown once.
    expect(result.stdout).toMatch(/FAIL max-block: A block lasted \d+ ms in crunch .*\n {2}the worst block is the one shown above: /);
  });

  it('judges a recording cut short by a kill on what it holds, and says so', async () => {
    const cut = join(tempDir(), 'cut.ndjson');
    const lines = readFileSync(recordings.cpuAsync as string, 'utf8').split('\n').filter((l) => l && !l.includes('"type":"end"'));
    writeFileSync(cut, lines.join('\n') + '\n');
    const result = await check(['--max-block', '200ms', '--max-p99', '200ms', cut]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(limitLine('max-block', 'FAIL'));
    expect(result.stdout).toMatch(limitLine('max-p99', 'FAIL'));
    expect(result.stdout).toContain('has no end event');
  });

  it('judges every recording in a directory and reports the worst', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.ndjson'), readFileSync(recordings.chunked as string));
    writeFileSync(join(dir, 'b.ndjson'), readFileSync(recordings.cpuAsync as string));
    const result = await check(['--max-blocks', '0', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^starve-probe check: 2 recordings\n/);
    expect(result.stdout).toMatch(/\n {2}max-blocks +2 +limit 0 +FAIL\n/);
  });
});

describe('starve-probe check on leases (synthetic recordings)', () => {
  it('fails --min-lease-margin 30% on a renewal left with 15 %, naming the lease and the block', async () => {
    const result = await check(['--min-lease-margin', '30%', data('synthetic-lease-margin.ndjson')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\n {2}min-lease-margin +450 ms \(15 % of 3\.00 s\) limit 30 % of the TTL +FAIL\n/);
    expect(result.stdout).toContain('lease "orders-lock": a renewal settled with 450 ms of its 3.00 s TTL left');
    expect(result.stdout).toMatch(/the longest block while it ran down: 2\.50 s \(block 1\)\n {2}site: settleInvoices/);
  });

  it('passes --min-lease-margin 10% and 400ms on the same run', async () => {
    for (const limit of ['10%', '400ms']) {
      const result = await check(['--min-lease-margin', limit, data('synthetic-lease-margin.ndjson')]);
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(limitLine('min-lease-margin', 'PASS'));
    }
  });

  it('fails on an expired lease by default, with the block that expired it', async () => {
    const result = await check([data('synthetic-lease-expired.ndjson')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\n {2}no-lease-expired +2 expired +limit none allowed +FAIL\n/);
    expect(result.stdout).toContain('lease "orders-lock" (TTL 3.00 s) expired 3.00 s after its last renewal, while the main thread was blocked');
    expect(result.stdout).toMatch(/the block that expired it: 4\.20 s \(block 1\)\n {2}site: settleInvoices \(\/app\/src\/billing\.js:42:7\)/);
    expect(result.stdout).toContain('lease "metrics-lock" (TTL 1.00 s) expired');
  });

  it('passes --no-lease-expired on a run whose leases all held, and lets a budget excuse one lease', async () => {
    const held = await check(['--no-lease-expired', data('synthetic-lease-margin.ndjson')]);
    expect(held.code).toBe(0);
    expect(held.stdout).toMatch(/\n {2}no-lease-expired +0 expired +limit none allowed +PASS\n/);
    const dir = tempDir();
    writeFileSync(join(dir, 'starve-probe.budget.json'), JSON.stringify({
      leases: [{ lease: 'metrics-lock', noLeaseExpired: false, why: 'best effort' }],
    }));
    const excused = await check([data('synthetic-lease-expired.ndjson')], { cwd: dir });
    expect(excused.code).toBe(1);
    expect(excused.stdout).toMatch(/\n {2}no-lease-expired +1 expired/);
    expect(excused.stdout).not.toContain('lease "metrics-lock"');
  });

  it('says there is no lease data on a run without leases, and fails on it only with --strict', async () => {
    const lenient = await check(['--min-lease-margin', '30%', recordings.idle as string]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(limitLine('min-lease-margin', 'NO DATA'));
    expect(lenient.stdout).toContain('Not enough data for the smallest lease margin: no lease renewal was recorded.');
    const strict = await check(['--strict', '--min-lease-margin', '30%', recordings.idle as string]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(limitLine('min-lease-margin', 'FAIL \\(no data\\)'));
  });
});

describe('starve-probe check -- <command>', () => {
  it('runs the command under the probe and fails a block limit with the blocking function and line', async () => {
    const result = await check(['--max-block', '200ms', '--', process.execPath, fixture('cpu-async.mjs')], {
      env: { ...QUIET, FIXTURE_ROUNDS: '1', FIXTURE_BLOCK_MS: '500' }, cwd: ROOT,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\n {2}command +PASS {2}The command .*cpu-async\.mjs exited with code 0\.\n/);
    expect(result.stdout).toMatch(/FAIL max-block: A block lasted \d+ ms in crunch \(fixtures\/cpu-async\.mjs:\d+:\d+\), over the limit of 200 ms\./);
  });

  it('passes the fixed twin of the same work', async () => {
    const result = await check(['--max-block', '200ms', '--', process.execPath, fixture('cpu-chunked.mjs')], {
      env: { ...QUIET, FIXTURE_ROUNDS: '1', FIXTURE_BLOCK_MS: '500' },
    });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/\n {2}max-block +no block +limit 200 ms +PASS\n/);
  });

  it('lowers the probe threshold to a block limit under it, so a shorter block is caught', async () => {
    const cwd = tempDir();
    const out = join(cwd, 'run.ndjson');
    const result = await check(['--max-block', '40ms', '--out', out, '--', process.execPath, fixture('cpu-async.mjs')], {
      env: { ...QUIET, FIXTURE_ROUNDS: '1', FIXTURE_BLOCK_MS: '90' }, cwd,
    });
    expect(result.stderr).toContain('block threshold set to 40 ms for --max-block');
    expect((ofType(readEvents(out), 'start')[0]?.config as { thresholdMs: number }).thresholdMs).toBe(40);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(limitLine('max-block', 'FAIL'));
  });

  it('fails when the command fails, and reports its exit code', async () => {
    const result = await check(['--max-block', '1s', '--', process.execPath, fixture('host/behaviour.mjs')], {
      env: { ...QUIET, FIXTURE_MODE: 'exit-code' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\n {2}command +FAIL {2}The command .*behaviour\.mjs exited with code 3\.\n/);
    expect(result.stdout).toMatch(limitLine('max-block', 'PASS'));
    expect(result.stdout).toMatch(/starve-probe check: FAIL \(1 of 2 broken\)\n$/);
  });

  it('says when a limit had no data (no delay sample), and fails on it only with --strict', async () => {
    const args = ['--max-p99', '50ms', '--resolution', '1000ms', '--', process.execPath, '-e', '0'];
    const lenient = await check(args, { env: QUIET });
    expect(lenient.code, lenient.stdout + lenient.stderr).toBe(0);
    expect(lenient.stdout).toMatch(limitLine('max-p99', 'NO DATA'));
    expect(lenient.stdout).toContain('Not enough data for the event-loop delay p99: no event-loop delay was measured');
    const strict = await check(['--strict', ...args], { env: QUIET });
    expect(strict.code).toBe(1);
  });

  it('prints only the JSON verdict on stdout with --json; the command\'s stdout goes to stderr', async () => {
    const result = await check(['--json', '--max-block', '1s', '--', process.execPath, fixture('host/behaviour.mjs')], { env: QUIET });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('hello from the app');
    const verdict = JSON.parse(result.stdout) as { ok: boolean; exitCode: number; command: { code: number }; results: Array<{ flag: string; status: string; measured: number }> };
    expect(verdict).toMatchObject({ ok: true, exitCode: 0, command: { code: 0 } });
    expect(verdict.results).toEqual([expect.objectContaining({ flag: 'max-block', status: 'pass', measured: 0 })]);
  });

  it('exits 2 when the command cannot start, and when it wrote no recording', async () => {
    const missing = await check(['--max-block', '1s', '--', 'no-such-command-xyz']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('starve-probe check: cannot start "no-such-command-xyz": command not found');
    const notNode = await check(['--max-block', '1s', '--', 'true']);
    expect(notNode.code).toBe(2);
    expect(notNode.stderr).toContain('no recording was written, so nothing can be checked');
  });
});

describe('starve-probe check reports', () => {
  let oddRecording = '';
  beforeAll(async () => {
    oddRecording = (await runUnderProbe(fixture('check/odd-names.mjs'), { env: QUIET })).recording;
  });
  const ODD = '<rank & "score"> 100%, it\'s: done\nnext';

  it('writes JUnit XML that parses, one test case per limit, failures carrying the evidence', async () => {
    const dir = tempDir();
    const junit = join(dir, 'check.xml');
    const result = await check(['--max-block', '200ms', '--max-p99', '10s', '--min-lease-margin', '1s', '--junit', junit, oddRecording]);
    expect(result.code).toBe(1);
    const root = parseXml(readFileSync(junit, 'utf8'));
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ tests: '3', failures: '1', skipped: '1' });
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => c.attributes.name)).toEqual([
      'max-p99: event-loop delay p99 within 10.0 s',
      'max-block: longest block within 200 ms',
      'min-lease-margin: smallest lease margin within 1.00 s',
    ]);
    const failure = findAll(cases[1] as never, 'failure')[0];
    expect(failure?.attributes.message).toContain(`A block lasted`);
    expect(failure?.attributes.message).toContain(ODD);
    expect(failure?.text).toContain(`site: ${ODD} (`);
    expect(failure?.text).toMatch(/recommendation: [\s\S]*move this work to a worker thread/);
    expect(findAll(cases[2] as never, 'skipped')[0]?.attributes.message).toMatch(/^Not enough data/);
  });

  it('on GitHub Actions, annotates the blocking line and appends the Markdown verdict to the job summary', async () => {
    const dir = tempDir();
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const env = { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ROOT, GITHUB_STEP_SUMMARY: summary };
    const result = await check(['--max-block', '200ms', recordings.cpuAsync as string], { env, cwd: ROOT });
    expect(result.code).toBe(1);
    const annotation = result.stdout.split('\n').find((l) => l.startsWith('::'));
    expect(annotation).toMatch(/^::error file=fixtures\/cpu-async\.mjs,line=\d+,col=\d+,title=starve-probe --max-block::A block lasted \d+ ms in crunch \(fixtures\/cpu-async\.mjs:\d+:\d+\), over the limit of 200 ms\.%0Acrunch .* move this work to a worker thread/);
    const site = /crunch \(fixtures\/cpu-async\.mjs:(\d+):(\d+)\)/.exec(result.stdout);
    expect(annotation).toContain(`line=${site?.[1]},col=${site?.[2]}`);
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step\n### ❌ starve-probe check failed (1 of 1 broken)\n')).toBe(true);
    expect(md).toMatch(/\n\| `--max-block` \| \d+ ms \| 200 ms \| \*\*FAIL\*\* \|\n/);
    expect(md).toContain('site: crunch (fixtures/cpu-async.mjs:');
  });

  it('escapes annotation messages so a site with %, newlines, commas and colons survives', async () => {
    const env = { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ROOT, GITHUB_STEP_SUMMARY: join(tempDir(), 's.md') };
    const result = await check(['--max-block', '200ms', oddRecording], { env });
    const annotation = result.stdout.split('\n').find((l) => l.startsWith('::error ')) as string;
    const [, props, message] = /^::error ([^:]*)::(.*)$/.exec(annotation) ?? [];
    expect(props).toMatch(/^file=fixtures\/check\/odd-names\.mjs,line=\d+,col=\d+,title=starve-probe --max-block$/);
    const unescaped = (message as string).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
    expect(unescaped).toContain(ODD);
    expect(message).not.toContain('\n');
  });

  it('writes the same Markdown with --markdown FILE outside GitHub Actions', async () => {
    const md = join(tempDir(), 'verdict.md');
    const result = await check(['--max-block', '200ms', '--markdown', md, recordings.chunked as string]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/^::/m);
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/^### ✅ starve-probe check passed \(1 of 1 hold\)\n/);
    expect(text).toMatch(/\n\| `--max-block` \| no block \| 200 ms \| PASS \|\n/);
  });
});

describe('starve-probe check with a budget file', () => {
  it('reads starve-probe.budget.json from the working directory, with a per-site override', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'starve-probe.budget.json'), JSON.stringify({
      comment: 'test budget',
      limits: { maxBlock: '200ms' },
      sites: [{ site: 'crunch', maxBlock: '5s', why: 'the fixture blocks on purpose' }],
    }));
    const result = await check([recordings.cpuAsync as string], { cwd: dir });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^starve-probe check: 1 recording, budget starve-probe\.budget\.json\n/);
    expect(result.stdout).toMatch(/\n {2}max-block +\d+ ms +limit 5\.00 s \(site override\) PASS\n/);
  });

  it('lets flags override the budget file named by --budget', async () => {
    const budget = join(tempDir(), 'ci-budget.json');
    writeFileSync(budget, JSON.stringify({ limits: { maxP99: '1ms', maxBlocks: 0 } }));
    const result = await check(['--budget', budget, '--max-p99', '10s', recordings.cpuAsync as string]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(limitLine('max-p99', 'PASS'));
    expect(result.stdout).toMatch(limitLine('max-blocks', 'FAIL'));
  });
});

describe('starve-probe check refuses bad input with exit code 2 and one clear line', () => {
  const notARecording = (): string => {
    const p = join(tempDir(), 'notes.txt');
    writeFileSync(p, 'hello\n');
    return p;
  };
  const badBudgetDir = (): string => {
    const dir = tempDir();
    writeFileSync(join(dir, 'starve-probe.budget.json'), JSON.stringify({ limits: { maxBlock: 'fast' } }));
    return dir;
  };

  it.each([
    ['an unknown flag', () => ['--max-blok', '1s', 'x.ndjson'], "unknown option --max-blok for 'starve-probe check'"],
    ['a duration like fast', () => ['--max-block', 'fast', 'x.ndjson'], '--max-block must be a duration such as 250ms, 2s or 1.5m (a bare number means milliseconds); got "fast"'],
    ['a limit with no value', () => ['--max-block'], '--max-block needs a value (D)'],
    ['a limit with no value before --', () => ['--max-p99', '--', 'node'], '--max-p99 needs a value (D)'],
    ['a ratio over 1', () => ['--max-elu', '2', 'x.ndjson'], '--max-elu must be a ratio between 0 and 1 such as 0.25, or a percentage such as 25%; got "2"'],
    ['a margin like soon', () => ['--min-lease-margin', 'soon', 'x.ndjson'], '--min-lease-margin must be a duration such as 500ms or 2s, or a percentage of the TTL such as 30%; got "soon"'],
    ['a recording that does not exist', () => ['--max-block', '1s', '/nonexistent/run.ndjson'], 'cannot read recording /nonexistent/run.ndjson: no such file'],
    ['a file that is not a recording', () => ['--max-block', '1s', notARecording()], 'is not a starve-probe recording: its first line is not a "start" event'],
    ['a budget file that does not exist', () => ['--budget', '/nonexistent/b.json', 'x.ndjson'], 'cannot read budget file /nonexistent/b.json: no such file'],
    ['a probe flag without a command', () => ['--max-block', '1s', '--threshold', '50ms', 'x.ndjson'], '--threshold only applies when check runs a command (after --)'],
    ['nothing to check', () => ['--max-block', '1s'], 'nothing to check: give recordings'],
    ['recordings and a command', () => ['--max-block', '1s', 'x.ndjson', '--', 'node'], 'unexpected argument "x.ndjson" before "--"'],
  ])('refuses %s', async (_what, args, message) => {
    const result = await check(args());
    expect(result.code, result.stdout).toBe(2);
    expect(result.stderr).toMatch(/^starve-probe check: /);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(noStackTrace);
  });

  it('refuses a check with no limits on a run without leases', async () => {
    const result = await check([recordings.idle as string]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no limits to check: give one such as --max-block 200ms, or write a starve-probe.budget.json');
  });

  it('refuses an invalid budget file, naming the file, the JSON path and what was expected', async () => {
    const dir = badBudgetDir();
    const result = await check(['x.ndjson'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`starve-probe check: budget file ${join(dir, 'starve-probe.budget.json')}: limits.maxBlock must be a duration such as 250ms, 2s or 1.5m (a bare number means milliseconds); got "fast"\n`);
  });

  it('refuses a budget file that is not JSON', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'starve-probe.budget.json'), '{ "limits": ');
    const result = await check(['x.ndjson'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^starve-probe check: budget file .*starve-probe\.budget\.json is not valid JSON: /);
  });

  it('has --help listing every limit, the outputs and the exit codes', async () => {
    const result = await check(['--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--max-p99 D', '--max-p50 D', '--max-block D', '--max-blocked D', '--max-blocked-ratio R', '--max-blocks N', '--min-lease-margin D|P%', '--no-lease-expired', '--max-elu R', '--budget FILE', '--strict', '--junit FILE', '--json', '--markdown FILE', '--threshold D']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toContain('Exit codes: 0 every limit holds; 1 a limit is broken');
  });
});
