import { LIMITS, type LimitKind, type LimitSpec } from './limits.js';
import { EXPECTED } from './values.js';

/**
 * The JSON Schema of starve-probe.budget.json, derived from the limit
 * table. scripts/gen-check-docs.mjs writes it to schema/budget.schema.json
 * for editors (`"$schema": "./node_modules/starve-probe/schema/budget.schema.json"`);
 * a test keeps the file equal to this and checks that the schema and the
 * check's own validation (budget.ts) accept and refuse the same examples.
 * One thing the schema cannot say: a percentage over 100% is refused by
 * the check only.
 */

/** The form parseDurationMs accepts (config/duration.ts), surrounding blanks allowed. */
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*(us|ms|s|m|h)?\\s*$';
const PERCENT_PATTERN = '^\\s*\\d+(\\.\\d+)?%\\s*$';
const FRACTION_PATTERN = '^\\s*(\\d*\\.)?\\d+\\s*$';
const COUNT_PATTERN = '^\\s*\\d+\\s*$';

function valueSchema(kind: LimitKind): Record<string, unknown> {
  const duration = [
    { type: 'string', pattern: DURATION_PATTERN },
    { type: 'number', minimum: 0 },
  ];
  switch (kind) {
    case 'duration':
      return { oneOf: duration };
    case 'ratio':
      return {
        oneOf: [
          { type: 'number', minimum: 0, maximum: 1 },
          { type: 'string', pattern: PERCENT_PATTERN },
          { type: 'string', pattern: FRACTION_PATTERN },
        ],
      };
    case 'count':
      return {
        oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: COUNT_PATTERN }],
      };
    case 'margin':
      return { oneOf: [...duration, { type: 'string', pattern: PERCENT_PATTERN }] };
    case 'switch':
      return { type: 'boolean' };
  }
}

function limitProperties(specs: readonly LimitSpec[]): Record<string, unknown> {
  return Object.fromEntries(specs.map((s) => [
    s.budgetKey,
    {
      description: `${s.help} Value: ${EXPECTED[s.kind]}. Flag: --${s.flag}.`,
      ...valueSchema(s.kind),
    },
  ]));
}

const WHY = { type: 'string', description: 'Why this override exists, for the next reader.' };

export function budgetSchema(): Record<string, unknown> {
  const perSite = LIMITS.filter((l) => l.perSite);
  const perLease = LIMITS.filter((l) => l.perLease);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://starve-probe.dev/schema/budget.schema.json',
    title: 'starve-probe budget file (starve-probe.budget.json)',
    description:
      'Limits for starve-probe check, with overrides for one blocking site or one lease. ' +
      'Flags given to check override the top-level limits. Generated from src/check/limits.ts.',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      comment: { type: 'string', description: 'Free text: what this budget is for.' },
      limits: {
        type: 'object',
        description: 'Limits for the whole run; each is optional.',
        additionalProperties: false,
        properties: limitProperties(LIMITS),
      },
      sites: {
        type: 'array',
        description:
          'Per-site limits. The first entry whose "site" text is contained in a block\'s ' +
          'site (name (path:line:col), path relative to the working directory, or the ' +
          'absolute URL) applies to that block.',
        items: {
          type: 'object',
          required: ['site'],
          additionalProperties: false,
          properties: {
            site: {
              type: 'string',
              minLength: 1,
              pattern: '\\S',
              description: 'A function name or a file path, e.g. "loadConfig" or "src/boot.js".',
            },
            why: WHY,
            ...limitProperties(perSite),
          },
        },
      },
      leases: {
        type: 'array',
        description: 'Per-lease limits, by the lease\'s exact name.',
        items: {
          type: 'object',
          required: ['lease'],
          additionalProperties: false,
          properties: {
            lease: { type: 'string', minLength: 1, pattern: '\\S', description: "The lease's name." },
            why: WHY,
            ...limitProperties(perLease),
          },
        },
      },
    },
  };
}
