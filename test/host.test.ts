import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRELOAD, exec, fixture, ofType, readEvents, runUnderProbe, tempDir } from './helpers/probe.js';
import { spawn } from 'node:child_process';

const behaviour = fixture('host/behaviour.mjs');

async function withAndWithout(mode: string) {
  const plain = await exec(process.execPath, [behaviour], { env: { FIXTURE_MODE: mode } });
  const probed = await runUnderProbe(behaviour, { env: { FIXTURE_MODE: mode } });
  return { plain, probed };
}

describe('the probe never hurts the host', () => {
  it.each(['idle', 'exit-code', 'exit', 'throw'])('keeps stdout, stderr and the exit code as they were (%s)', async (mode) => {
    const { plain, probed } = await withAndWithout(mode);
    expect(probed.stdout).toBe(plain.stdout);
    expect(probed.code).toBe(plain.code);
    expect(probed.signal).toBe(plain.signal);
    // The probe adds nothing to stderr when there is nothing to report.
    expect(probed.stderr.replace(/\/work\/[^\s]+|file:\/\/\S+/g, '')).toBe(plain.stderr.replace(/\/work\/[^\s]+|file:\/\/\S+/g, ''));
    expect(ofType(probed.events, 'start')).toHaveLength(1);
  });

  it("does not count Node's own wait at shutdown as a block (regression: 'blocked in emit (node:events)' after fetch)", async () => {
    for (let run = 0; run < 2; run++) {
      const probed = await runUnderProbe(fixture('exit-after-fetch.mjs'));
      expect(probed.code).toBe(0);
      expect(probed.stderr).toBe('');
      expect(ofType(probed.events, 'end')[0]?.summary).toMatchObject({ blocks: 0 });
      for (const block of ofType(probed.events, 'block')) {
        expect(block).toMatchObject({ shutdown: true, evidence: { rule: 'shutdown' } });
      }
    }
  });

  it('does not keep an idle process alive', async () => {
    const started = Date.now();
    const probed = await runUnderProbe(behaviour, { env: { FIXTURE_MODE: 'idle' } });
    expect(probed.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ofType(probed.events, 'end')).toHaveLength(1);
  });

  it('installs no signal listener: a spinning process still dies of SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const out = join(tempDir(), 'r.ndjson');
      const child = spawn(process.execPath, ['--import', PRELOAD, behaviour], {
        env: { ...process.env, FIXTURE_MODE: 'spin', STARVE_PROBE_OUT: out, STARVE_PROBE_QUIET: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => String(c).includes('spinning') && resolve()));
      await new Promise((r) => setTimeout(r, 400));
      child.kill(signal);
      const [code, got] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
      expect(code).toBeNull();
      expect(got).toBe(signal);
      // Killed mid-block: the block was already on disk.
      expect(ofType(readEvents(out), 'block-start').length).toBeGreaterThanOrEqual(1);
    }
  });

  it("leaves the application's own SIGTERM handler in charge", async () => {
    const out = join(tempDir(), 'r.ndjson');
    const child = spawn(process.execPath, ['--import', PRELOAD, behaviour], {
      env: { ...process.env, FIXTURE_MODE: 'sigterm-handler', STARVE_PROBE_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    await new Promise<void>((resolve) => child.stdout.on('data', () => stdout.includes('ready') && resolve()));
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('app handled SIGTERM');
  });

  it('a SIGKILL loses at most the last quarter second of the recording', async () => {
    const out = join(tempDir(), 'r.ndjson');
    const child = spawn(process.execPath, ['--import', PRELOAD, fixture('cpu-async.mjs')], {
      env: { ...process.env, FIXTURE_BLOCK_MS: '5000', FIXTURE_ROUNDS: '1', STARVE_PROBE_OUT: out, STARVE_PROBE_QUIET: '1' },
      stdio: 'ignore',
    });
    // 300 ms of sleep, then the block: after 1.5 s it is a second old.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const events = readEvents(out);
    expect(events[0]?.type).toBe('start');
    expect(ofType(events, 'block-start')).toHaveLength(1);
    expect(ofType(events, 'sample').length).toBeGreaterThanOrEqual(0);
  });

  it('loading the preload twice starts one probe', async () => {
    const probed = await runUnderProbe(fixture('cpu-async.mjs'), {
      nodeArgs: ['--import', PRELOAD, '--import', PRELOAD.replace('index.js', './index.js')],
      env: { FIXTURE_ROUNDS: '1', FIXTURE_BLOCK_MS: '300' },
    });
    expect(probed.code).toBe(0);
    expect(ofType(probed.events, 'start')).toHaveLength(1);
    expect(ofType(probed.events, 'block')).toHaveLength(1);
  });

  it('a bad setting gets one clear line naming it, and the probe runs on the default', async () => {
    const probed = await runUnderProbe(fixture('cpu-async.mjs'), {
      env: { STARVE_PROBE_THRESHOLD: 'fast', FIXTURE_ROUNDS: '1', FIXTURE_BLOCK_MS: '300' },
    });
    expect(probed.code).toBe(0);
    const lines = probed.stderr.split('\n').filter((l) => l.includes('STARVE_PROBE_THRESHOLD'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('STARVE_PROBE_THRESHOLD must be a duration such as 250ms, 2s or 1.5m');
    expect(lines[0]).toContain('got "fast"; using the default (100ms)');
    expect((ofType(probed.events, 'start')[0]?.config as { thresholdMs: number }).thresholdMs).toBe(100);
    expect(ofType(probed.events, 'block')).toHaveLength(1);
  });

  it('when the probe cannot record, the application runs on and one line says why', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-dir');
    await exec('sh', ['-c', `echo x > ${blocker}`]);
    const result = await exec(process.execPath, ['--import', PRELOAD, behaviour], {
      env: { FIXTURE_MODE: 'exit-code', STARVE_PROBE_OUT: join(blocker, 'r.ndjson') },
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('hello from the app\n');
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('starve-probe:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^starve-probe: the probe stopped because the recording could not be opened: .*not-a-dir.*; the application keeps running unmonitored$/);
  });

  it.runIf(process.platform === 'linux')('an uncreatable folder under /proc does not keep the host alive (regression: recursive mkdir spun forever)', async () => {
    const started = Date.now();
    const result = await exec(process.execPath, ['--import', PRELOAD, behaviour], {
      env: { FIXTURE_MODE: 'exit-code', STARVE_PROBE_OUT: '/proc/starve-probe-nope/r.ndjson' },
      timeoutMs: 20_000,
    });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.stderr).toMatch(/starve-probe: the probe stopped because the recording could not be opened: .*\/proc\/starve-probe-nope/);
  });

  it('STARVE_PROBE_ENABLED=0 switches it off entirely', async () => {
    const dir = tempDir();
    const result = await exec(process.execPath, ['--import', PRELOAD, behaviour], { cwd: dir, env: { STARVE_PROBE_ENABLED: '0' } });
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, '.starve-probe'))).toBe(false);
  });

  it('writes to .starve-probe/<ISO time>-<pid>.ndjson under the working directory by default', async () => {
    const dir = tempDir();
    const result = await exec(process.execPath, ['--import', PRELOAD, behaviour], { cwd: dir });
    expect(result.code).toBe(0);
    const files = readdirSync(join(dir, '.starve-probe'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-\d+\.ndjson$/);
  });
});
