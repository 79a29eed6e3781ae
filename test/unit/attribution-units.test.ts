import { describe, expect, it } from 'vitest';
import { UNIT_FRAMES_TRIED, unitFrameIndexes, unitOf } from '../../src/attribution/units.js';

const app = (name: string) => ({ functionName: name, url: `file:///srv/app/${name}.js` });
const bullmq = { functionName: 'callProcessJob', url: 'file:///srv/app/node_modules/bullmq/dist/esm/classes/worker.js' };
const node = { functionName: 'emit', url: 'node:events' };
const probe = { functionName: 'x', url: 'file:///opt/starve-probe/dist/leases/timers.js' };

describe('where the unit of work is looked for', () => {
  it('tries BullMQ’s processing frame first, then the innermost application frames', () => {
    const frames = [node, app('score'), probe, app('handle'), bullmq, app('main')];
    expect(unitFrameIndexes(frames, 'file:///opt/starve-probe/dist/')).toEqual([4, 1, 3, 5]);
  });

  it(`tries at most ${UNIT_FRAMES_TRIED} frames, and none without application code`, () => {
    const many = Array.from({ length: 10 }, (_, i) => app(`f${i}`));
    expect(unitFrameIndexes(many, null)).toHaveLength(UNIT_FRAMES_TRIED);
    expect(unitFrameIndexes([node, node], null)).toEqual([]);
  });

  it('names a job found on BullMQ’s frame as a BullMQ job, and keeps other answers as they are', () => {
    expect(unitOf('job "invoice" (id 7)', bullmq)).toBe('BullMQ job "invoice" (id 7)');
    expect(unitOf('HTTP POST /login', app('login'))).toBe('HTTP POST /login');
    expect(unitOf(undefined, app('login'))).toBeNull();
    expect(unitOf('', app('login'))).toBeNull();
    expect(unitOf('x'.repeat(500), app('login'))).toHaveLength(200);
  });
});
