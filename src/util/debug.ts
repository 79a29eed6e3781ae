import { debuglog } from 'node:util';

/** `NODE_DEBUG=starve-probe` prints the probe's internals to stderr. */
export const debug = debuglog('starve-probe');
