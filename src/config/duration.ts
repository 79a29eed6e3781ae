/**
 * Durations as users write them: `250ms`, `2s`, `1.5m`, `1h`, or a bare
 * number of milliseconds. Parsing returns milliseconds or `undefined`; the
 * caller words the error because only it knows which option was meant.
 */

const UNIT_MS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_RE = /^(\d+(?:\.\d+)?|\.\d+)\s*(us|ms|s|m|h)?$/;

export function parseDurationMs(input: string | number): number | undefined {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? input : undefined;
  }
  const match = DURATION_RE.exec(input.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unitMs = UNIT_MS[match[2] ?? 'ms'] ?? 1;
  const ms = value * unitMs;
  return Number.isFinite(ms) ? ms : undefined;
}

export const DURATION_FORM = 'a duration such as 250ms, 2s or 1.5m (a bare number means milliseconds)';

/** Human form of a duration: `850 ms`, `3.2 s`, `2.5 min`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'n/a';
  const abs = Math.abs(ms);
  if (abs < 10) return `${ms.toFixed(1)} ms`;
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(abs < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return 'n/a';
  const mib = bytes / (1024 * 1024);
  return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(1)} MiB`;
}
