// Resident memory of a small, lightly busy process after it has settled.
import { setTimeout as sleep } from 'node:timers/promises';

const tick = setInterval(() => JSON.stringify({ at: Date.now() }), 20);
await sleep(Number(process.env.SETTLE_MS ?? 2000));
clearInterval(tick);
globalThis.gc?.();
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write(`${JSON.stringify({ rssBytes: rss, heapUsedBytes: heapUsed })}\n`);
