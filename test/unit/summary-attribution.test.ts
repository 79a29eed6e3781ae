import { describe, expect, it } from 'vitest';
import { SummaryBuilder } from '../../src/record/summary.js';

const block = (id: number, site: string | null, durationMs: number, extra: object = {}) => ({
  type: 'block', time: 1000 * id, pid: 1, id, durationMs, gcMs: 0, stack: null, stackError: 'x', site,
  kind: 'cpu', recommendation: `fix ${id}`, evidence: { rule: 'js-on-stack' }, ...extra,
});

describe('the sites table with findings', () => {
  it('groups blocks of one function and line whatever the column, with kinds and the worst block\'s fix', () => {
    const summary = new SummaryBuilder();
    summary.add(block(1, 'crunch (file:///app/a.js:8:3)', 300) as never);
    summary.add(block(2, 'crunch (file:///app/a.js:8:28)', 500, { kind: 'gc' }) as never);
    summary.add(block(3, 'other (file:///app/a.js:20:1)', 100, { package: 'bcryptjs' }) as never);
    const sites = summary.build().sites;
    expect(sites).toHaveLength(2);
    expect(sites[0]).toMatchObject({
      site: 'crunch (file:///app/a.js:8:28)', count: 2, totalMs: 800, maxMs: 500,
      kinds: { cpu: 1, gc: 1 }, recommendation: 'fix 2',
    });
    expect(sites[1]).toMatchObject({ package: 'bcryptjs', kinds: { cpu: 1 } });
  });

  it('keeps worker-thread blocks without a site apart, per thread', () => {
    const summary = new SummaryBuilder();
    summary.add(block(1, null, 300, { threadId: 2, kind: 'unknown' }) as never);
    summary.add(block(2, null, 300) as never);
    expect(summary.build().sites.map((s) => s.site).sort()).toEqual([
      '(no stack: site unknown)', '(worker thread 2: no stack, site unknown)',
    ]);
  });
});
