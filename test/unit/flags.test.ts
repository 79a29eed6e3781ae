import { describe, expect, it } from 'vitest';
import { splitNodeOptions, stripPreloads, watchdogEnv } from '../../src/probe/flags.js';

describe('the watchdog does not run preloads again', () => {
  it('drops --import, --require and loaders with their values, in both spellings', () => {
    expect(stripPreloads(['--import', 'starve-probe', '--max-old-space-size=64', '-r', 'dotenv/config', '--import=tsx', '--enable-source-maps']))
      .toEqual(['--max-old-space-size=64', '--enable-source-maps']);
  });

  it('cleans NODE_OPTIONS, keeping other flags and quoting', () => {
    const env = watchdogEnv({ NODE_OPTIONS: '--import=file:///x/dist/index.js --max-old-space-size=64 --require "/path with space/a.js"', PATH: '/bin' });
    expect(env.NODE_OPTIONS).toBe('--max-old-space-size=64');
    expect(env.PATH).toBe('/bin');
  });

  it('removes NODE_OPTIONS entirely when only preloads were in it', () => {
    expect('NODE_OPTIONS' in watchdogEnv({ NODE_OPTIONS: '--import starve-probe' })).toBe(false);
  });

  it('splits NODE_OPTIONS as Node does', () => {
    expect(splitNodeOptions('--a  "--b=c d" --e')).toEqual(['--a', '--b=c d', '--e']);
  });
});
