import type { Session } from 'node:inspector';
import { debug } from '../util/debug.js';

/**
 * Posts an inspector command whose failure must never reach the host: a
 * failed or refused command is only said under NODE_DEBUG=starve-probe.
 */
export function postQuietly(session: Session | null, method: string, params?: object): void {
  try {
    session?.post(method, params ?? {}, (error) => {
      if (error) debug('inspector %s failed: %s', method, error.message);
    });
  } catch (error) {
    debug('inspector %s threw: %s', method, (error as Error).message);
  }
}
