/**
 * `starve-probe/testing`: assert on starvation inside a test (vitest,
 * node:test, any runner).
 *
 *   const result = await measureStarvation(() => handler(req), { thresholdMs: 20 });
 *   assertStarvation(result, { maxBlock: '50ms' });
 *
 * Starting it costs one worker thread start-up (some tens of
 * milliseconds) per call. See docs/ci.md.
 */
export {
  measureStarvation, RENEWAL_CHANNEL,
  type LeaseMargin, type MeasureOptions, type StarvationResult,
} from './measure.js';
export { assertStarvation, type StarvationLimits } from './assert.js';
