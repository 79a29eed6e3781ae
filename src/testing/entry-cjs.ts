/**
 * CommonJS entry of `starve-probe/testing` (`require('starve-probe/testing')`),
 * bundled by scripts/build.mjs into dist/testing/index.cjs. The watcher
 * stays an ES module next to it; a CommonJS process starts it all the same.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { watcherLocation } from './measure.js';

watcherLocation.url = pathToFileURL(join(__dirname, 'watcher.js'));

export * from './index.js';
