// Blocks the main thread BLOCKS times for BLOCK_MS each, with GAP_MS of
// idle loop between them. With LARGE_APP_DIR set, first imports every
// module in it, so the inspector has many scripts to announce.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const blocks = Number(process.env.BLOCKS ?? 5);
const blockMs = Number(process.env.BLOCK_MS ?? 400);
const gapMs = Number(process.env.GAP_MS ?? 300);

const dir = process.env.LARGE_APP_DIR;
if (dir) {
  for (const name of readdirSync(dir)) await import(pathToFileURL(join(dir, name)).href);
}

function spinFor(ms) {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  return x;
}

await sleep(gapMs);
for (let i = 0; i < blocks; i++) {
  spinFor(blockMs);
  await sleep(gapMs);
}
