import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StarveProbeError } from '../errors.js';
import { LIMITS, type LimitSpec, type Limits, type Margin } from './limits.js';
import { parseLimitValue } from './values.js';

/**
 * The budget file: the same limits as the flags, kept with the code, plus
 * overrides for one blocking site or one lease and a word on why.
 *
 *   {
 *     "comment": "Gate for the API's load test.",
 *     "limits": { "maxBlock": "200ms", "maxP99": "50ms" },
 *     "sites": [{ "site": "loadConfig", "maxBlock": "2s", "why": "…" }],
 *     "leases": [{ "lease": "orders-lock", "minLeaseMargin": "30%" }]
 *   }
 *
 * Read from `--budget FILE`, or from starve-probe.budget.json in the
 * working directory when that exists. Validated here by hand so each
 * problem names the file, the JSON path and what was expected;
 * schema/budget.schema.json describes the same shape for editors.
 */

export const BUDGET_FILE_NAME = 'starve-probe.budget.json';

export class InvalidBudgetError extends StarveProbeError {
  constructor(message: string) {
    super('ERR_STARVE_PROBE_INVALID_BUDGET', message);
  }
}

export interface SiteOverride {
  /** Matched against the site as shown (`name (path:line:col)`): contained in it. */
  site: string;
  limits: Pick<Limits, 'maxBlockMs'>;
  why?: string;
}

export interface LeaseOverride {
  /** The lease's name, exactly. */
  lease: string;
  limits: Pick<Limits, 'minLeaseMargin' | 'noLeaseExpired'>;
  why?: string;
}

export interface Budget {
  /** The file read, or null when the limits came from flags alone. */
  path: string | null;
  comment?: string;
  limits: Limits;
  sites: SiteOverride[];
  leases: LeaseOverride[];
}

export const emptyBudget = (): Budget => ({ path: null, limits: {}, sites: [], leases: [] });

/** The budget file to use: the one named, or the default one if present. */
export function findBudget(named: string | undefined, cwd: string): string | null {
  if (named !== undefined) return named;
  const fallback = join(cwd, BUDGET_FILE_NAME);
  return existsSync(fallback) ? fallback : null;
}

export function readBudget(path: string): Budget {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file'
      : code === 'EISDIR' ? 'it is a directory'
      : (error as Error).message;
    throw new InvalidBudgetError(`cannot read budget file ${path}: ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message;
    throw new InvalidBudgetError(`budget file ${path} is not valid JSON: ${why}`);
  }
  return parseBudget(json, path);
}

type Fail = (at: string, expected: string, got: unknown) => never;

const TOP_FIELDS = ['$schema', 'comment', 'limits', 'sites', 'leases'];
const SITE_LIMITS = LIMITS.filter((l) => l.perSite);
const LEASE_LIMITS = LIMITS.filter((l) => l.perLease);

export function parseBudget(json: unknown, path: string): Budget {
  const fail: Fail = (at, expected, got) => {
    const message = `${at} must be ${expected}; got ${shown(got)}`;
    throw new InvalidBudgetError(`budget file ${path}: ${message}`);
  };
  if (!isObject(json)) return fail('the top level', 'a JSON object', json);
  checkKeys(json, TOP_FIELDS, '', path);
  const budget: Budget = { path, limits: {}, sites: [], leases: [] };
  if (json.comment !== undefined) budget.comment = textField(json.comment, 'comment', fail);
  if (json.limits !== undefined) {
    if (!isObject(json.limits)) {
      fail('limits', 'an object of limits such as { "maxBlock": "200ms" }', json.limits);
    }
    const limits = json.limits as Record<string, unknown>;
    checkKeys(limits, LIMITS.map((l) => l.budgetKey), 'limits', path);
    budget.limits = readLimits(limits, 'limits', LIMITS, path);
  }
  budget.sites = listOf(json.sites, 'sites', fail).map((entry, i) => {
    const at = `sites[${i}]`;
    checkKeys(entry, ['site', 'why', ...SITE_LIMITS.map((l) => l.budgetKey)], at, path);
    const expected = 'a non-empty text naming the site (a function name or a file path)';
    const site = nonEmpty(entry.site, `${at}.site`, expected, fail);
    return { site, limits: readLimits(entry, at, SITE_LIMITS, path), ...why(entry, at, fail) };
  });
  budget.leases = listOf(json.leases, 'leases', fail).map((entry, i) => {
    const at = `leases[${i}]`;
    checkKeys(entry, ['lease', 'why', ...LEASE_LIMITS.map((l) => l.budgetKey)], at, path);
    const lease = nonEmpty(entry.lease, `${at}.lease`, 'the name of a lease', fail);
    return { lease, limits: readLimits(entry, at, LEASE_LIMITS, path), ...why(entry, at, fail) };
  });
  return budget;
}

function readLimits(
  source: Record<string, unknown>, at: string, specs: readonly LimitSpec[], path: string,
): Limits {
  const limits: Record<string, number | boolean | Margin> = {};
  for (const spec of specs) {
    const raw = source[spec.budgetKey];
    if (raw === undefined) continue;
    const parsed = parseLimitValue(spec, raw);
    if (!parsed.ok) {
      const message = `${at}.${spec.budgetKey} must be ${parsed.expected}; got ${shown(raw)}`;
      throw new InvalidBudgetError(`budget file ${path}: ${message}`);
    }
    limits[spec.key] = parsed.value;
  }
  return limits as Limits;
}

function checkKeys(
  object: Record<string, unknown>, allowed: readonly string[], at: string, path: string,
): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    const where = at ? `${at}.${key}` : key;
    throw new InvalidBudgetError(
      `budget file ${path}: ${where} is not a known field; expected one of ${allowed.join(', ')}`);
  }
}

function listOf(value: unknown, at: string, fail: Fail): Array<Record<string, unknown>> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail(at, 'a list (JSON array) of objects', value);
  value.forEach((entry, i) => {
    if (!isObject(entry)) fail(`${at}[${i}]`, 'an object', entry);
  });
  return value as Array<Record<string, unknown>>;
}

function why(entry: Record<string, unknown>, at: string, fail: Fail): { why?: string } {
  return entry.why === undefined ? {} : { why: textField(entry.why, `${at}.why`, fail) };
}

function textField(value: unknown, at: string, fail: Fail): string {
  return typeof value === 'string' ? value : fail(at, 'a text', value);
}

function nonEmpty(value: unknown, at: string, expected: string, fail: Fail): string {
  return typeof value === 'string' && value.trim() !== '' ? value : fail(at, expected, value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Flags win over the budget file's top-level limits. */
export function withFlagLimits(budget: Budget, flagLimits: Limits): Budget {
  return { ...budget, limits: { ...budget.limits, ...flagLimits } };
}
