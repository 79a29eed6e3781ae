import { DURATION_FORM, formatMs, parseDurationMs } from './duration.js';
import { PROBE_OPTIONS, type OptionSpec } from './options.js';

export interface ProbeConfig {
  enabled: boolean;
  thresholdMs: number;
  out: string | null;
  sampleIntervalMs: number;
  resolutionMs: number;
  quiet: boolean;
  asyncStacks: boolean;
  leases: string | null;
  leaseRisk: number;
  saturationElu: number;
  saturationForMs: number;
  profile: boolean;
  /** null: twice thresholdMs. */
  profileMinMs: number | null;
  [key: string]: unknown;
}

export type ParseResult =
  | { ok: true; value: number | boolean | string }
  | { ok: false; message: string };

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off', '']);

function describeRange(spec: OptionSpec): string {
  if (spec.kind === 'duration') {
    return `between ${formatMs(spec.min ?? 0)} and ${formatMs(spec.max ?? Infinity)}`;
  }
  return `between ${spec.min ?? 0} and ${spec.max ?? 1}`;
}

/**
 * Parse one raw value for `spec`. `source` names where it came from
 * (`STARVE_PROBE_THRESHOLD` or `--threshold`) so the message points there.
 */
export function parseOptionValue(spec: OptionSpec, raw: string, source: string): ParseResult {
  const shown = JSON.stringify(raw);
  switch (spec.kind) {
    case 'duration': {
      const ms = parseDurationMs(raw);
      if (ms === undefined) {
        return { ok: false, message: `${source} must be ${DURATION_FORM}; got ${shown}` };
      }
      if ((spec.min !== undefined && ms < spec.min) || (spec.max !== undefined && ms > spec.max)) {
        return { ok: false, message: `${source} must be ${describeRange(spec)}; got ${shown}` };
      }
      return { ok: true, value: spec.key === 'resolutionMs' ? Math.round(ms) : ms };
    }
    case 'fraction': {
      const pct = /^(\d+(?:\.\d+)?)%$/.exec(raw.trim());
      const value = pct ? Number(pct[1]) / 100 : Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(value)) {
        return { ok: false, message: `${source} must be a fraction such as 0.25 or 25%; got ${shown}` };
      }
      if (value < (spec.min ?? 0) || value > (spec.max ?? 1)) {
        return { ok: false, message: `${source} must be ${describeRange(spec)}; got ${shown}` };
      }
      return { ok: true, value };
    }
    case 'boolean': {
      const word = raw.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return { ok: false, message: `${source} must be 1 or 0 (also true/false, yes/no, on/off); got ${shown}` };
    }
    case 'path':
    case 'json': {
      if (raw.trim() === '') return { ok: false, message: `${source} must not be empty` };
      return { ok: true, value: raw };
    }
  }
}

export function defaultConfig(): ProbeConfig {
  const config: Record<string, unknown> = {};
  for (const spec of PROBE_OPTIONS) config[spec.key] = spec.default;
  return config as ProbeConfig;
}

/**
 * Read the probe's settings from the environment. A bad value never stops
 * the probe: it is reported in `problems` (one sentence each) and the
 * default is used, so the application runs unaffected.
 */
export function readConfigFromEnv(env: NodeJS.ProcessEnv): { config: ProbeConfig; problems: string[] } {
  const config = defaultConfig() as Record<string, unknown>;
  const problems: string[] = [];
  for (const spec of PROBE_OPTIONS) {
    const raw = env[spec.env];
    if (raw === undefined) continue;
    const parsed = parseOptionValue(spec, raw, spec.env);
    if (parsed.ok) {
      config[spec.key] = parsed.value;
    } else {
      const fallback = spec.default === null ? '' : ` (${describeDefault(spec)})`;
      problems.push(`${parsed.message}; using the default${fallback}`);
    }
  }
  return { config: config as ProbeConfig, problems };
}

export function describeDefault(spec: OptionSpec): string {
  if (spec.default === null) return 'none';
  if (spec.kind === 'duration') return compactMs(spec.default as number);
  if (spec.kind === 'boolean') return spec.default ? '1' : '0';
  return String(spec.default);
}

/** `1000` → `1s`, `250` → `250ms`, `90000` → `90s`: how defaults are shown. */
function compactMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
