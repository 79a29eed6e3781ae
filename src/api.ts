/**
 * `starve-probe/api`: the public API. No side effects and no dependencies:
 * safe to import in production code whether or not the probe runs. Without
 * the probe every call is a cheap no-op.
 */

export const API_VERSION = 1;

/** True when the probe is running in this process. */
export function probeActive(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('starve-probe.loaded')] === true;
}
