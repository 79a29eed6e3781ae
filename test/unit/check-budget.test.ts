import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { InvalidBudgetError, parseBudget } from '../../src/check/budget.js';
import { LIMITS_DOC_BEGIN, LIMITS_DOC_END, limitsMarkdown } from '../../src/check/doc.js';
import { LIMITS } from '../../src/check/limits.js';
import { budgetSchema } from '../../src/check/schema.js';

const root = new URL('../../', import.meta.url);
const validateSchema = new Ajv2020({ allErrors: true, strict: false }).compile(budgetSchema());

const VALID: unknown[] = [
  {},
  { $schema: './node_modules/starve-probe/schema/budget.schema.json', comment: 'gate', limits: {} },
  { limits: { maxP99: '50ms', maxP50: 20, maxBlock: '0.2s', maxBlocked: '1s', maxBlockedRatio: '5%', maxBlocks: 3, minLeaseMargin: '30%', noLeaseExpired: true, maxElu: 0.9 } },
  { limits: { minLeaseMargin: '750ms', maxBlockedRatio: 0.05 } },
  { sites: [{ site: 'loadConfig', maxBlock: '2s', why: 'startup' }], leases: [{ lease: 'orders-lock', minLeaseMargin: '20%', noLeaseExpired: false }] },
];

const INVALID: Array<[unknown, RegExp]> = [
  [[], /the top level must be a JSON object; got \[\]/],
  [{ limits: { maxBlock: 'fast' } }, /limits\.maxBlock must be a duration such as 250ms, 2s or 1\.5m .*; got "fast"/],
  [{ limits: { maxBlok: '1s' } }, /limits\.maxBlok is not a known field; expected one of maxP99, maxP50, maxBlock/],
  [{ limits: { maxElu: 'high' } }, /limits\.maxElu must be a ratio between 0 and 1 .*; got "high"/],
  [{ limits: { maxBlocks: 1.5 } }, /limits\.maxBlocks must be a whole number .*; got 1\.5/],
  [{ limits: { minLeaseMargin: 'soon' } }, /limits\.minLeaseMargin must be a duration such as 500ms or 2s, or a percentage of the TTL such as 30%; got "soon"/],
  [{ limits: { noLeaseExpired: 'yes' } }, /limits\.noLeaseExpired must be true or false; got "yes"/],
  [{ limits: [] }, /limits must be an object of limits/],
  [{ sites: {} }, /sites must be a list/],
  [{ sites: [{ maxBlock: '1s' }] }, /sites\[0\]\.site must be a non-empty text naming the site .*; got nothing/],
  [{ sites: [{ site: 'boot', maxP99: '1s' }] }, /sites\[0\]\.maxP99 is not a known field; expected one of site, why, maxBlock/],
  [{ leases: [{ lease: 'orders', minLeaseMargin: '30%', why: 7 }] }, /leases\[0\]\.why must be a text; got 7/],
  [{ limit: {} }, /limit is not a known field; expected one of \$schema, comment, limits, sites, leases/],
];

describe('the budget file', () => {
  it.each(VALID.map((v) => [JSON.stringify(v), v]))('accepts %s, as its JSON Schema does', (_name, json) => {
    expect(() => parseBudget(json, 'b.json')).not.toThrow();
    expect(validateSchema(json)).toBe(true);
  });

  it.each(INVALID.map(([json, message]) => [JSON.stringify(json), json, message] as const))(
    'refuses %s naming the file, the JSON path and what was expected, as its JSON Schema does',
    (_name, json, message) => {
      let error: unknown;
      try {
        parseBudget(json, 'team/starve-probe.budget.json');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidBudgetError);
      expect((error as InvalidBudgetError).code).toBe('ERR_STARVE_PROBE_INVALID_BUDGET');
      expect((error as Error).message).toMatch(/^budget file team\/starve-probe\.budget\.json: /);
      expect((error as Error).message).toMatch(message);
      expect(validateSchema(json)).toBe(false);
    },
  );

  it('reads values in their units and keeps overrides with their reasons', () => {
    const budget = parseBudget({
      limits: { maxBlock: '0.2s', maxBlockedRatio: '5%', minLeaseMargin: '30%' },
      sites: [{ site: 'loadConfig', maxBlock: 2000, why: 'startup' }],
      leases: [{ lease: 'orders-lock', minLeaseMargin: '750ms' }],
    }, 'b.json');
    expect(budget.limits).toEqual({ maxBlockMs: 200, maxBlockedRatio: 0.05, minLeaseMargin: { ratioOfTtl: 0.3 } });
    expect(budget.sites).toEqual([{ site: 'loadConfig', limits: { maxBlockMs: 2000 }, why: 'startup' }]);
    expect(budget.leases).toEqual([{ lease: 'orders-lock', limits: { minLeaseMargin: { ms: 750 } } }]);
  });

  it('is described by schema/budget.schema.json exactly as generated (run npm run docs:check)', () => {
    const file = JSON.parse(readFileSync(new URL('schema/budget.schema.json', root), 'utf8')) as unknown;
    expect(file).toEqual(budgetSchema());
  });
});

describe('docs/ci.md', () => {
  const text = readFileSync(new URL('docs/ci.md', root), 'utf8');

  it('holds the limits table exactly as generated from the limit table (run npm run docs:check)', () => {
    const begin = text.indexOf(LIMITS_DOC_BEGIN);
    const end = text.indexOf(LIMITS_DOC_END) + LIMITS_DOC_END.length;
    expect(begin).toBeGreaterThan(-1);
    expect(text.slice(begin, end)).toBe(limitsMarkdown());
  });

  it('names every limit\'s flag and budget key, and every exit code', () => {
    for (const limit of LIMITS) {
      expect(text).toContain(`\`--${limit.flag}\``);
      expect(text).toContain(`\`${limit.budgetKey}\``);
    }
    for (const code of ['0', '1', '2']) expect(text).toMatch(new RegExp(`\\| \`${code}\` \\|`));
  });
});
