import { describe, expect, it } from 'vitest';
import { packageOf, siteOf } from '../../src/record/site.js';

const PROBE = 'file:///opt/app/node_modules/starve-probe/dist/';
const frame = (functionName: string, url: string, line = 1, column = 1) => ({ functionName, url, line, column });

describe('the site of a block', () => {
  it('is the first frame of the application, past Node internals and libraries', () => {
    const stack = [
      frame('hash', 'file:///opt/app/node_modules/bcryptjs/dist/bcrypt.js', 10, 2),
      frame('verify', 'file:///opt/app/src/auth.js', 42, 7),
      frame('listOnTimeout', 'node:internal/timers', 581, 17),
    ];
    expect(siteOf(stack, PROBE)).toBe('verify (file:///opt/app/src/auth.js:42:7)');
  });

  it('falls back to a library frame when no application frame exists', () => {
    const stack = [frame('', 'node:internal/x'), frame('extendLock', 'file:///opt/app/node_modules/bullmq/dist/x.js', 3, 4)];
    expect(siteOf(stack, PROBE)).toBe('extendLock (file:///opt/app/node_modules/bullmq/dist/x.js:3:4)');
  });

  it('never names the probe itself', () => {
    const stack = [frame('beat', `${PROBE}probe/heartbeat.js`), frame('work', 'file:///opt/app/a.js', 2, 3)];
    expect(siteOf(stack, PROBE)).toBe('work (file:///opt/app/a.js:2:3)');
  });

  it('names an anonymous function after its nearest named caller', () => {
    const stack = [frame('', 'file:///opt/app/a.js', 5, 9), frame('', 'file:///opt/app/a.js', 9, 1), frame('scoreReport', 'file:///opt/app/a.js', 20, 3)];
    expect(siteOf(stack, PROBE)).toBe('<anonymous in scoreReport> (file:///opt/app/a.js:5:9)');
  });

  it('says <anonymous> when no caller has a name', () => {
    expect(siteOf([frame('', 'file:///opt/app/a.js', 5, 9)], PROBE)).toBe('<anonymous> (file:///opt/app/a.js:5:9)');
  });

  it('uses Node internals only when nothing else is on the stack', () => {
    expect(siteOf([frame('processImmediate', 'node:internal/timers', 476, 21)], PROBE)).toBe('processImmediate (node:internal/timers:476:21)');
  });

  it('is null without a stack', () => {
    expect(siteOf(null, PROBE)).toBeNull();
    expect(siteOf([], PROBE)).toBeNull();
  });

  it('knows the package of a library frame, scoped or not', () => {
    expect(packageOf('file:///a/node_modules/bullmq/dist/cjs/classes/worker.js')).toBe('bullmq');
    expect(packageOf('file:///a/node_modules/@opentelemetry/api/build/x.js')).toBe('@opentelemetry/api');
    expect(packageOf('file:///a/src/x.js')).toBeNull();
  });
});
