import { DURATION_FORM, formatMs, parseDurationMs } from '../config/duration.js';
import type { LimitKind, LimitSpec, LimitValue, Margin } from './limits.js';

/**
 * Reads one limit value, from a flag (always text) or a budget file (text,
 * number or boolean). On failure it returns what was expected, so the
 * caller can name where the value came from (`--max-block`, or
 * `starve-probe.budget.json at limits.maxBlock`).
 */

export type ValueResult = { ok: true; value: LimitValue } | { ok: false; expected: string };

export const EXPECTED: Record<LimitKind, string> = {
  duration: DURATION_FORM,
  ratio: 'a ratio between 0 and 1 such as 0.25, or a percentage such as 25%',
  count: 'a whole number such as 0 or 5',
  margin: 'a duration such as 500ms or 2s, or a percentage of the TTL such as 30%',
  switch: 'true or false',
};

export function parseLimitValue(spec: LimitSpec, raw: unknown): ValueResult {
  const bad: ValueResult = { ok: false, expected: EXPECTED[spec.kind] };
  switch (spec.kind) {
    case 'duration':
      return durationOf(raw) ?? bad;
    case 'ratio': {
      const ratio = ratioOf(raw);
      return ratio === undefined ? bad : { ok: true, value: ratio };
    }
    case 'count': {
      const digits = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw);
      const n = typeof raw === 'number' ? raw : digits ? Number(raw) : NaN;
      return Number.isSafeInteger(n) && n >= 0 ? { ok: true, value: n } : bad;
    }
    case 'margin': {
      if (typeof raw === 'string' && raw.trim().endsWith('%')) {
        const ratio = ratioOf(raw);
        return ratio === undefined ? bad : { ok: true, value: { ratioOfTtl: ratio } };
      }
      const ms = durationOf(raw);
      return ms ? { ok: true, value: { ms: ms.value as number } } : bad;
    }
    case 'switch':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : bad;
  }
}

function durationOf(raw: unknown): { ok: true; value: number } | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const ms = parseDurationMs(raw);
  return ms === undefined ? undefined : { ok: true, value: ms };
}

function ratioOf(raw: unknown): number | undefined {
  let value: number;
  if (typeof raw === 'number') {
    value = raw;
  } else if (typeof raw === 'string') {
    const text = raw.trim();
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
    value = pct ? Number(pct[1]) / 100 : /^\d*\.?\d+$/.test(text) ? Number(text) : NaN;
  } else {
    return undefined;
  }
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

/** A limit's value as the output shows it: `200 ms`, `0.25 (25 %)`, `30 % of the TTL`. */
export function formatLimit(spec: LimitSpec, value: LimitValue): string {
  switch (spec.kind) {
    case 'duration':
      return formatMs(value as number);
    case 'ratio':
      return formatRatio(value as number);
    case 'count':
      return String(value);
    case 'margin':
      return formatMargin(value as Margin);
    case 'switch':
      return value ? 'none allowed' : 'allowed';
  }
}

export function formatRatio(ratio: number): string {
  return `${Math.round(ratio * 1000) / 1000} (${Math.round(ratio * 1000) / 10} %)`;
}

export function formatMargin(margin: Margin): string {
  if ('ms' in margin) return formatMs(margin.ms);
  return `${Math.round(margin.ratioOfTtl * 1000) / 10} % of the TTL`;
}
