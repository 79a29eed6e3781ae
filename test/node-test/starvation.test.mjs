// Run by test/testing-helper.test.ts with `node --test`: the helper as a
// user imports it (the package's own name), in Node's own test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertStarvation, measureStarvation } from 'starve-probe/testing';

const spin = (ms) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('a 300 ms loop breaks a 50 ms block limit', async () => {
  const result = await measureStarvation(() => spin(300), { thresholdMs: 20 });
  assert.throws(() => assertStarvation(result, { maxBlock: '50ms' }), {
    name: 'AssertionError',
    message: /^starvation: the longest block lasted \d+ ms, over the limit of 50 ms/,
  });
});

test('work that yields keeps within a 200 ms block limit', async () => {
  const result = await measureStarvation(async () => {
    for (let i = 0; i < 40; i++) {
      spin(5);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }, { thresholdMs: 200 });
  assertStarvation(result, { maxBlock: '200ms' });
  assert.equal(result.blocks, 0);
});
