/**
 * CommonJS entry (`node --require starve-probe app.cjs`), bundled by
 * scripts/build.mjs into dist/index.cjs. The watchdog stays an ES module
 * next to it.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startProbe } from './probe/start.js';

startProbe({ watchdogUrl: pathToFileURL(join(__dirname, 'watchdog', 'main.js')) });

export * from './api.js';
