import type { AnyEvent, BlockEvent } from './events.js';

/**
 * A `block` that counts as one: every block but Node's own wait at
 * shutdown (`shutdown: true`), which is recorded so nothing is hidden but
 * held back nothing of the application. Summaries, reports, lease budgets
 * and `check` all count through this one test.
 */
export function isCountedBlock(event: AnyEvent): event is BlockEvent {
  return event.type === 'block' && (event as BlockEvent).shutdown !== true;
}
