// Run by test/testing-helper.test.ts with `node --test`: the helper from
// CommonJS (require), as a Jest or mocha suite would load it.
const assert = require('node:assert/strict');
const { test } = require('node:test');
const { assertStarvation, measureStarvation } = require('starve-probe/testing');

test('a 250 ms loop breaks a 50 ms block limit, required from CommonJS', async () => {
  const result = await measureStarvation(() => {
    const until = performance.now() + 250;
    while (performance.now() < until);
  }, { thresholdMs: 20 });
  assert.ok(result.maxBlockMs >= 240, `measured ${result.maxBlockMs} ms`);
  assert.throws(() => assertStarvation(result, { maxBlock: '50ms' }), { name: 'AssertionError' });
});
