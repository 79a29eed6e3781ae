/**
 * `starve-probe`: importing (or requiring) this module starts the probe in
 * the current process, once. It also re-exports the side-effect-free API.
 */
import { startProbe } from './probe/start.js';

startProbe({ watchdogUrl: new URL('./watchdog/main.js', import.meta.url) });

export * from './api.js';
