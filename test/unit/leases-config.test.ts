import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesHttp, readLeasesConfig } from '../../src/leases/config.js';
import { readConfigFromEnv } from '../../src/config/parse.js';

describe('STARVE_PROBE_LEASES', () => {
  it('reads the demo shape: an HTTP lease with method, URL pattern, ttl and every', () => {
    const { leases, problems } = readLeasesConfig('[{"name":"orders-lock","ttl":"3s","every":"1s","http":{"method":"POST","url":"/leases/*/renew"}}]');
    expect(problems).toEqual([]);
    expect(leases).toHaveLength(1);
    expect(leases[0]).toMatchObject({ name: 'orders-lock', ttlMs: 3000, everyMs: 1000, timer: null });
    const http = leases[0]!.http!;
    expect(matchesHttp(http, 'POST', 'http://127.0.0.1:9/leases/7/renew', '/leases/7/renew?x=1')).toBe(true);
    expect(matchesHttp(http, 'GET', 'http://127.0.0.1:9/leases/7/renew', '/leases/7/renew')).toBe(false);
    expect(matchesHttp(http, 'POST', 'http://127.0.0.1:9/leases', '/leases')).toBe(false);
  });

  it('matches the full URL when the pattern starts with a scheme', () => {
    const { leases } = readLeasesConfig('[{"name":"a","ttl":1000,"http":{"url":"https://locks.internal/*/extend"}}]');
    const http = leases[0]!.http!;
    expect(matchesHttp(http, 'PUT', 'https://locks.internal/x/extend', '/x/extend')).toBe(true);
    expect(matchesHttp(http, 'PUT', 'https://elsewhere/x/extend', '/x/extend')).toBe(false);
  });

  it('reads a timer lease whose site is a substring or a *-pattern', () => {
    const { leases } = readLeasesConfig('[{"name":"q","ttl":"4s","timer":{"site":"bullmq/dist/*/lock-manager.js"}}]');
    expect(leases[0]!.timer!.regex.test('startLockExtenderTimer (file:///app/node_modules/bullmq/dist/cjs/classes/lock-manager.js:63:37)')).toBe(true);
    expect(leases[0]!.timer!.regex.test('x (file:///app/node_modules/bullmq/dist/cjs/classes/worker.js:1:1)')).toBe(false);
  });

  it('reads the JSON from a file when the value is a path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'starve-probe-leases-'));
    const path = join(dir, 'leases.json');
    writeFileSync(path, '[{"name":"f","ttl":"2s","timer":{"site":"node_modules/x"}}]');
    expect(readLeasesConfig(path).leases.map((l) => l.name)).toEqual(['f']);
  });

  it.each([
    ['[{"name":"a","ttl":"soon","http":{"url":"/a"}}]', 'STARVE_PROBE_LEASES[0].ttl must be a duration such as 250ms, 2s or 1.5m (a bare number means milliseconds), above zero; got "soon"; this lease is ignored'],
    ['[{"ttl":"1s","http":{"url":"/a"}}]', 'STARVE_PROBE_LEASES[0].name must be a non-empty string; got nothing'],
    ['[{"name":"a","ttl":"1s"}]', 'STARVE_PROBE_LEASES[0] must have exactly one matcher, "http": {"method","url"} or "timer": {"site"}; got neither'],
    ['[{"name":"a","ttl":"1s","http":{"url":"/a"},"timer":{"site":"x"}}]', 'got both'],
    ['[{"name":"a","ttl":"1s","every":"2s","http":{"url":"/a"}}]', 'STARVE_PROBE_LEASES[0].every must be shorter than its ttl (1000 ms); got "2s"'],
    ['[{"name":"a","ttl":"1s","http":{"url":"leases"}}]', 'STARVE_PROBE_LEASES[0].http.url must be a path pattern such as "/locks/*/extend"'],
    ['[{"name":"a","ttl":"1s","http":{"method":"P O","url":"/a"}}]', 'STARVE_PROBE_LEASES[0].http.method must be an HTTP method such as "POST"; got "P O"'],
    ['[{"name":"a","ttl":"1s","timer":{"site":""}}]', 'STARVE_PROBE_LEASES[0].timer.site must be a non-empty substring'],
    ['{"name":"a"}', 'STARVE_PROBE_LEASES must be a JSON array of lease entries; got an object; no lease is declared'],
    ['[{"name":"a",', 'STARVE_PROBE_LEASES must hold valid JSON'],
    ['/no/such/leases.json', 'the file "/no/such/leases.json" could not be read (ENOENT)'],
  ])('rejects %s with a sentence naming the entry, the field, the value and the form', (raw, message) => {
    const { leases, problems } = readLeasesConfig(raw);
    expect(leases).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('keeps the good entries when one is bad, and names the bad one by index', () => {
    const { leases, problems } = readLeasesConfig('[{"name":"ok","ttl":"1s","http":{"url":"/a"}},{"name":"bad","ttl":-5,"http":{"url":"/b"}},{"name":"ok","ttl":"1s","http":{"url":"/c"}}]');
    expect(leases.map((l) => l.name)).toEqual(['ok']);
    expect(problems[0]).toMatch(/^STARVE_PROBE_LEASES\[1\]\.ttl must be .*; got -5/);
    expect(problems[1]).toMatch(/^STARVE_PROBE_LEASES\[2\]\.name must be unique/);
  });

  it('declares the lease-risk fraction with a default of 25 % and validates it', () => {
    expect(readConfigFromEnv({}).config.leaseRisk).toBe(0.25);
    expect(readConfigFromEnv({ STARVE_PROBE_LEASE_RISK: '10%' }).config.leaseRisk).toBeCloseTo(0.1);
    const bad = readConfigFromEnv({ STARVE_PROBE_LEASE_RISK: 'lots' });
    expect(bad.config.leaseRisk).toBe(0.25);
    expect(bad.problems[0]).toContain('STARVE_PROBE_LEASE_RISK must be a fraction such as 0.25 or 25%; got "lots"');
  });
});
