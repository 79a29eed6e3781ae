import { describe, expect, it } from 'vitest';
import { formatMs, parseDurationMs } from '../../src/config/duration.js';
import { readConfigFromEnv, parseOptionValue } from '../../src/config/parse.js';
import { findOption } from '../../src/config/options.js';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['2s', 2000],
    ['1.5m', 90_000],
    ['1h', 3_600_000],
    ['40', 40],
    ['0.5s', 500],
    [' 3s ', 3000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['fast', '', '-1s', '1 sec', '2ss', 'NaN', '1e3'])('refuses %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });

  it('formats for people with the unit', () => {
    expect(formatMs(4.2)).toBe('4.2 ms');
    expect(formatMs(612.4)).toBe('612 ms');
    expect(formatMs(3200)).toBe('3.20 s');
    expect(formatMs(31_800)).toBe('31.8 s');
    expect(formatMs(null)).toBe('n/a');
  });
});

describe('probe settings from the environment', () => {
  it('uses the defaults when nothing is set', () => {
    const { config, problems } = readConfigFromEnv({});
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ thresholdMs: 100, sampleIntervalMs: 1000, resolutionMs: 10, quiet: false, out: null });
  });

  it('reads every documented form', () => {
    const { config, problems } = readConfigFromEnv({
      STARVE_PROBE_THRESHOLD: '250ms',
      STARVE_PROBE_SAMPLE_INTERVAL: '2s',
      STARVE_PROBE_RESOLUTION: '5',
      STARVE_PROBE_QUIET: 'yes',
      STARVE_PROBE_OUT: '/tmp/x.ndjson',
    });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ thresholdMs: 250, sampleIntervalMs: 2000, resolutionMs: 5, quiet: true, out: '/tmp/x.ndjson' });
  });

  it('names the variable, the value and the expected form, then falls back to the default', () => {
    const { config, problems } = readConfigFromEnv({ STARVE_PROBE_THRESHOLD: 'fast' });
    expect(config.thresholdMs).toBe(100);
    expect(problems).toEqual([
      'STARVE_PROBE_THRESHOLD must be a duration such as 250ms, 2s or 1.5m (a bare number means milliseconds); got "fast"; using the default (100ms)',
    ]);
  });

  it('refuses a threshold outside its range, saying the range', () => {
    const { problems } = readConfigFromEnv({ STARVE_PROBE_THRESHOLD: '1ms' });
    expect(problems[0]).toMatch(/^STARVE_PROBE_THRESHOLD must be between 20 ms and 10\.0 min; got "1ms"/);
  });

  it('refuses a boolean it cannot read', () => {
    const result = parseOptionValue(findOption('quiet'), 'loud', '--quiet');
    expect(result).toEqual({ ok: false, message: '--quiet must be 1 or 0 (also true/false, yes/no, on/off); got "loud"' });
  });
});
