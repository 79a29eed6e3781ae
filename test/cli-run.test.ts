import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, exec, fixture, ofType, readEvents, tempDir } from './helpers/probe.js';

const behaviour = fixture('host/behaviour.mjs');
const cli = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) =>
  exec(process.execPath, [CLI, ...args], { env, cwd: cwd ?? tempDir() });

describe('starve-probe run', () => {
  it('runs the command under the probe and summarises its recording on stderr', async () => {
    const out = join(tempDir(), 'run.ndjson');
    const result = await cli(['run', '--out', out, '--threshold', '150ms', '--', process.execPath, fixture('cpu-async.mjs')], {
      FIXTURE_ROUNDS: '1', FIXTURE_BLOCK_MS: '500',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/starve-probe: .*cpu-async\.mjs \(pid \d+\): 1 block\(s\), .* the longest \d+ ms; most time in crunch \(.*cpu-async\.mjs:\d+:\d+\)/);
    expect(result.stderr).toContain(`full report: starve-probe report`);
    expect(result.stderr).toMatch(/starve-probe: {3}fix: crunch \(.*cpu-async\.mjs:\d+:\d+\) in async scoreReport ran JavaScript/);
    const events = readEvents(out);
    expect((ofType(events, 'start')[0]?.config as { thresholdMs: number }).thresholdMs).toBe(150);
  });

  it('exits with the exit code of the command', async () => {
    const result = await cli(['run', '--', process.execPath, behaviour], { FIXTURE_MODE: 'exit-code' });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('hello from the app\n');
  });

  it('re-raises the signal the command died of, and passes signals on', async () => {
    const cwd = tempDir();
    const child = spawn(process.execPath, [CLI, 'run', '--quiet', '--', process.execPath, behaviour], {
      cwd, env: { ...process.env, FIXTURE_MODE: 'spin' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => String(c).includes('spinning') && resolve()));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    expect(code).toBeNull();
    expect(signal).toBe('SIGTERM');
    // The killed child's recording is still summarised.
    expect(stderr).toMatch(/behaviour\.mjs \(pid \d+\)/);
  });

  it('gives every Node.js process it starts its own recording', async () => {
    const cwd = tempDir();
    const result = await cli(['run', '--quiet', '--', process.execPath, fixture('host/spawns-child.mjs')], {}, cwd);
    expect(result.code).toBe(0);
    const summaries = result.stderr.split('\n').filter((l) => /\(pid \d+\):/.test(l));
    expect(summaries).toHaveLength(2);
    // The parent waits in spawnSync, so it is blocked too, at the call.
    expect(summaries.some((l) => /spawns-child\.mjs \(pid \d+\): 1 block\(s\).* in <anonymous> \(.*spawns-child\.mjs:\d+:\d+\)/.test(l))).toBe(true);
    expect(summaries.some((l) => /cpu-async\.mjs \(pid \d+\): 1 block\(s\).* in crunch /.test(l))).toBe(true);
  });

  it('with --out, a child process that inherits the path writes beside it', async () => {
    const dir = tempDir();
    const out = join(dir, 'app.ndjson');
    const result = await cli(['run', '--quiet', '--out', out, '--', process.execPath, fixture('host/spawns-child.mjs')]);
    expect(result.code).toBe(0);
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files).toContain('app.ndjson');
    expect(files.find((f) => f !== 'app.ndjson')).toMatch(/^app\.\d+\.ndjson$/);
  });

  it.each([
    [['run', '--threshold', 'fast', '--', 'node'], '--threshold must be a duration such as 250ms, 2s or 1.5m (a bare number means milliseconds); got "fast"'],
    [['run', '--threshold'], '--threshold needs a value (D)'],
    [['run', '--frobnicate', '--', 'node'], "unknown option --frobnicate for 'starve-probe run'"],
    [['run'], "no command given: write 'starve-probe run -- node app.js'"],
    [['wat'], 'unknown command "wat"'],
  ])('refuses %j with exit code 2 and a clear message', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('says when the command cannot be found (127), like env(1)', async () => {
    const result = await cli(['run', '--', 'no-such-command-xyz']);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('cannot start "no-such-command-xyz": command not found');
  });

  it('has --help and --version', async () => {
    const help = await cli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: starve-probe run [options] -- <command>');
    expect(help.stdout).toContain('--threshold D');
    expect(help.stdout).toContain('Sets STARVE_PROBE_THRESHOLD');
    const version = await cli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const main = await cli(['--help']);
    expect(main.stdout).toContain('Commands:');
  });
});
