// Blocks in quick succession: work in BLOCK_MS slices with a short yield
// between them, for RUN_MS. Prints how many work units it finished, the
// figure compared with and without the probe (stack captures cost the
// main thread; the probe bounds how many it takes per second).
import { setImmediate as yieldToLoop } from 'node:timers/promises';

const blockMs = Number(process.env.BLOCK_MS ?? 150);
const runMs = Number(process.env.RUN_MS ?? 4000);

function unit(seed) {
  let x = seed;
  for (let i = 0; i < 2000; i++) x = (x * 1103515245 + 12345) % 2147483648;
  return x;
}

let units = 0;
const end = performance.now() + runMs;
while (performance.now() < end) {
  const sliceEnd = performance.now() + blockMs;
  while (performance.now() < sliceEnd) unit(units++);
  await new Promise((resolve) => setTimeout(resolve, 5));
  await yieldToLoop();
}
process.stdout.write(`${JSON.stringify({ units })}\n`);
