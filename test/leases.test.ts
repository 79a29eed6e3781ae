import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, exec, fixture, ofType, runUnderProbe, schemaProblems, tempDir, type ProbeEvent } from './helpers/probe.js';
import { freePort, runWatched, startLeaseServer, type LeaseServer } from './helpers/leases.js';

const HTTP_LEASES = JSON.stringify([
  { name: 'report-lock', ttl: '3s', every: '1s', http: { method: 'POST', url: '/leases/*/renew' } },
]);

const blockEnd = (b: ProbeEvent): number => (b.time as number) + (b.durationMs as number);

async function report(recording: string): Promise<string> {
  const result = await exec(process.execPath, [CLI, 'report', recording]);
  expect(result.code).toBe(0);
  return result.stdout;
}

let server: LeaseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('leases renewed over HTTP, declared with STARVE_PROBE_LEASES only', () => {
  it('the classic client: the probe writes lease-expired during the block, at the time the server saw it expire', async () => {
    server = await startLeaseServer();
    const run = await runWatched(fixture('leases/classic-client.mjs'), {
      LEASE_SERVER_URL: server.url,
      STARVE_PROBE_LEASES: HTTP_LEASES,
      // Renewals before the long block land while the loop is free, so the
      // server's extension and the client's settle are the same moment.
      FIXTURE_WARMUP_MS: '2500',
      FIXTURE_JOBS: '150,4500',
    }, /blocking for 4500 ms/);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('the lease was lost');
    expect(schemaProblems(run.events)).toEqual([]);

    const truth = server.expiries;
    const expired = ofType(run.events, 'lease-expired');
    expect(truth).toHaveLength(1);
    expect(expired).toHaveLength(1);
    const expiry = expired[0]!;
    expect(Math.abs((expiry.time as number) - truth[0]!.expiredAt)).toBeLessThan(100);

    // Written while the block was still going on, naming what blocked.
    const block = ofType(run.events, 'block').find((b) => b.id === expiry.blockId)!;
    expect(block).toBeDefined();
    expect(expiry).toMatchObject({ lease: 'report-lock', ttlMs: 3000, duringBlock: true });
    expect(expiry.site).toMatch(/^scoreRows \(file:.*classic-client\.mjs:\d+:\d+\)$/);
    expect(expiry.time as number).toBeLessThan(blockEnd(block));
    expect(run.firstSeenAt.get('lease-expired')).toBeLessThan(blockEnd(block));
    expect(ofType(run.events, 'lease-risk')[0]).toMatchObject({ lease: 'report-lock', site: expiry.site });
    // The expiry carries the block's finding so far and the lease's fix.
    expect(expiry.kind).toBe('cpu');
    expect(expiry.recommendation).toMatch(/blocked for [\d.]+ s \(a cpu block so far.*\); make such blocks shorter than its starvation budget \(TTL 3\.00 s minus the renewal interval 1\.00 s: at most 2\.00 s/);

    const renewals = ofType(run.events, 'renewal');
    expect(renewals.filter((r) => r.ok).length).toBeGreaterThanOrEqual(2);
    const failed = renewals.find((r) => !r.ok)!;
    expect(failed).toMatchObject({ error: 'HTTP 410' });
    expect(failed.waitMs as number).toBeGreaterThan(1000);
    expect(failed.marginMs as number).toBeLessThan(0);

    const summary = (ofType(run.events, 'end')[0]!.summary as { leases: Array<Record<string, unknown>> }).leases;
    expect(summary).toEqual([expect.objectContaining({ lease: 'report-lock', source: 'http', expiries: 1, everyMs: 1000 })]);
    expect(summary[0]!.budgetMs as number).toBeGreaterThan(1500);
    expect(summary[0]!.budgetMs as number).toBeLessThan(2000);
    expect(summary[0]!.longestBlockMs as number).toBeGreaterThan(4000);

    // A killed process leaves no `end`: the report computes the same leases.
    const cut = join(tempDir(), 'killed.ndjson');
    writeFileSync(cut, readFileSync(run.recording, 'utf8').split('\n').filter((l) => !l.includes('"type":"end"')).join('\n'));
    const killedText = await report(cut);
    expect(killedText).toContain('no end event');
    expect(killedText).toMatch(/report-lock\s+3\.00 s\s+\d+ \(\d+ failed\)\s+1 /);

    const text = await report(run.recording);
    expect(text).toMatch(/lease report-lock \(TTL 3\.00 s\) expired during a 4\.\d\d s block in scoreRows \(.*classic-client\.mjs:\d+:\d+\); its renewal was due .* into the block/);
    expect(text).toMatch(/report-lock survives blocks of at most 1\.\d\d s .* but the longest block while it was held lasted 4\.\d\d s/);
  });

  it('the fixed twin (work chunked with yields) keeps its lease: every renewal succeeds, nothing expires', async () => {
    server = await startLeaseServer();
    const run = await runUnderProbe(fixture('leases/classic-client.mjs'), {
      env: { LEASE_SERVER_URL: server.url, STARVE_PROBE_LEASES: HTTP_LEASES, FIXTURE_FIXED: 'chunked' },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('lease held throughout');
    expect(server.expiries).toEqual([]);
    expect(ofType(run.events, 'lease-expired')).toEqual([]);
    const renewals = ofType(run.events, 'renewal');
    expect(renewals.length).toBeGreaterThanOrEqual(4);
    expect(renewals.every((r) => r.ok === true && (r.marginMs as number) > 1000)).toBe(true);
    expect(await report(run.recording)).not.toMatch(/expired/);
  });

  it('the network-slow twin: the loop is free, the renewal is slow, and the report blames I/O, not the loop', async () => {
    server = await startLeaseServer({ renewDelayMs: [0, 0, 2500] });
    const run = await runUnderProbe(fixture('leases/classic-client.mjs'), {
      env: { LEASE_SERVER_URL: server.url, STARVE_PROBE_LEASES: HTTP_LEASES, FIXTURE_JOBS: '', FIXTURE_IDLE_MS: '3500' },
    });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    expect(server.expiries).toHaveLength(1);
    const expired = ofType(run.events, 'lease-expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ duringBlock: false });
    expect(expired[0]!.site).toBeUndefined();
    expect(expired[0]!.recommendation).toMatch(/^The main thread was not blocked when the lease expired: the renewal was slow or missing/);
    expect(Math.abs((expired[0]!.time as number) - server.expiries[0]!.expiredAt)).toBeLessThan(100);
    const overlapping = ofType(run.events, 'block').filter((b) => (b.time as number) <= (expired[0]!.time as number) && blockEnd(b) >= (expired[0]!.time as number));
    expect(overlapping).toEqual([]);
    const slow = ofType(run.events, 'renewal').filter((r) => (r.ioMs as number) > 2000);
    expect(slow.length).toBeGreaterThanOrEqual(1);
    expect(slow.every((r) => (r.waitMs as number) < 100)).toBe(true);

    const text = await report(run.recording);
    expect(text).toMatch(/lease report-lock \(TTL 3\.00 s\) expired with the event loop free, while its renewal had been waiting on I\/O/);
    expect(text).toContain('look at the network or the lease service, not at the event loop');
    expect(text).toMatch(/renewals of report-lock were slow because of I\/O, not the event loop/);
    expect(text).not.toMatch(/expired during/);
    expect(text).not.toMatch(/move that work off the main thread/);
    expect(text).toMatch(/report-lock survives no block at all/);
  });
});

describe('renewals through node:http, and failed renewals', () => {
  it('count 2xx as renewals and a non-2xx answer or a refused connection as failures, without hiding errors from the application', async () => {
    server = await startLeaseServer();
    const closedPort = await freePort();
    const env = { LEASE_SERVER_URL: server.url, CLOSED_PORT: String(closedPort) };
    const plain = await exec(process.execPath, [fixture('leases/http-client.mjs')], { env });
    const run = await runUnderProbe(fixture('leases/http-client.mjs'), {
      env: { ...env, STARVE_PROBE_LEASES: JSON.stringify([{ name: 'http-lock', ttl: '3s', http: { method: 'POST', url: '/leases/*/renew' } }]) },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stdout).toContain('{"refused":"ECONNREFUSED"}');
    expect(run.stdout).toContain('{"fetchRefused":"ECONNREFUSED"}');
    expect(schemaProblems(run.events)).toEqual([]);

    expect(ofType(run.events, 'lease')).toEqual([expect.objectContaining({ lease: 'http-lock', source: 'http' })]);
    const renewals = ofType(run.events, 'renewal');
    expect(renewals.map((r) => r.ok)).toEqual([true, true, true, false, false, false]);
    expect(renewals[3]).toMatchObject({ error: 'HTTP 404' });
    expect(renewals[4]!.error).toMatch(/ECONNREFUSED/);
    expect(renewals[5]!.error).toBeTruthy();
    // Acquire and release (POST /leases, DELETE) are not renewals.
    expect(renewals).toHaveLength(6);
  });
});

describe('leases declared in code with starve-probe/api', () => {
  it('renew returns and rethrows through the probe; the expiry matches the server and names the block', async () => {
    server = await startLeaseServer();
    const run = await runWatched(fixture('leases/api-client.mjs'), { LEASE_SERVER_URL: server.url }, /blocking for/);
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const said = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(said[0]).toEqual({ syncValue: 42 });
    expect(said).toContainEqual({ renewed: true });
    expect(said).toContainEqual({ renewFailed: 'lease server answered 410' });

    expect(ofType(run.events, 'lease')[0]).toMatchObject({ lease: 'api-lock', ttlMs: 2000, source: 'api' });
    expect(ofType(run.events, 'renewal').find((r) => !r.ok)).toMatchObject({ error: 'lease server answered 410' });
    const expired = ofType(run.events, 'lease-expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ duringBlock: true });
    expect(expired[0]!.site).toMatch(/^crunchLedger /);
    expect(server.expiries).toHaveLength(1);
    expect(Math.abs((expired[0]!.time as number) - server.expiries[0]!.expiredAt)).toBeLessThan(100);
    const block = ofType(run.events, 'block').find((b) => b.id === expired[0]!.blockId)!;
    expect(run.firstSeenAt.get('lease-expired')).toBeLessThan(blockEnd(block));
  });
});

describe('recurring timers', () => {
  it('behave the same with the probe as without it, and a starved 1 s interval is reported late with its site', async () => {
    const plain = await exec(process.execPath, [fixture('leases/timer-behaviour.mjs')]);
    const probed = await runUnderProbe(fixture('leases/timer-behaviour.mjs'));
    expect(plain.code).toBe(0);
    expect(probed.code).toBe(0);
    expect(probed.stdout).toBe(plain.stdout);
    expect(JSON.parse(plain.stdout)).toMatchObject({ sameAsTimers: true, thrown: 'thrown from a 1 s timer', intervalTicks: true });
    expect(schemaProblems(probed.events)).toEqual([]);
    const late = ofType(probed.events, 'timer-late');
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ periodMs: 1000 });
    expect(late[0]!.site).toMatch(/timer-behaviour\.mjs:\d+:\d+\)$/);
    expect(late[0]!.lateMs as number).toBeGreaterThan(300);
  });
});

describe('a bad STARVE_PROBE_LEASES', () => {
  it('warns with a sentence naming the entry, field, value and form, and the application runs on', async () => {
    const run = await runUnderProbe(fixture('cpu-async.mjs'), {
      env: { STARVE_PROBE_LEASES: '[{"name":"x","ttl":"soon","http":{"url":"/a"}}]' },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('STARVE_PROBE_INVALID_OPTION');
    expect(run.stderr).toContain('STARVE_PROBE_LEASES[0].ttl must be a duration such as 250ms, 2s or 1.5m');
    expect(run.stderr).toContain('got "soon"');
    expect(ofType(run.events, 'end')).toHaveLength(1);
    expect(ofType(run.events, 'block').length).toBeGreaterThanOrEqual(1);
  });

  it('without the probe, the API stays a no-op in a real process', async () => {
    const run = await exec(process.execPath, ['--input-type=module', '-e', [
      "import { lease, probeActive } from 'starve-probe/api';",
      "const l = lease('x', { ttl: '1s' });",
      'const v = await l.renew(async () => 7);',
      'l.renewed(); l.end();',
      'process.stdout.write(JSON.stringify({ active: probeActive(), v }));',
    ].join('\n')]);
    expect(run.stdout).toBe('{"active":false,"v":7}');
  });

  it('a one-shot timer at a declared timer site is not a renewal (regression: its 2.5 s callback was a renewal with ioMs 2500)', async () => {
    const run = await runUnderProbe(fixture('leases/heartbeat-and-one-shot.mjs'), {
      env: {
        STARVE_PROBE_QUIET: '1',
        STARVE_PROBE_LEASES: JSON.stringify([{ name: 'hb', ttl: '2s', timer: { site: 'heartbeat-and-one-shot.mjs' } }]),
      },
    });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);
    const renewals = ofType(run.events, 'renewal');
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    expect(renewals.every((r) => (r.ioMs as number) < 100)).toBe(true);
    const [expired] = ofType(run.events, 'lease-expired');
    expect(expired).toMatchObject({ lease: 'hb', duringBlock: true });
    expect(expired!.site).toMatch(/^<anonymous> \(file:.*heartbeat-and-one-shot\.mjs:\d+:\d+\)$/);
  });
});
