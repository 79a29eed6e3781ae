import { readFileSync } from 'node:fs';
import { DURATION_FORM, parseDurationMs } from '../config/duration.js';

/**
 * STARVE_PROBE_LEASES: leases declared by configuration, whose renewals
 * are outgoing HTTP requests or firings of a library's timer. The value is
 * JSON text, or a path to a JSON file, holding an array of entries:
 *
 *   { "name": "orders-lock", "ttl": "3s", "every": "1s",
 *     "http": { "method": "POST", "url": "/leases/*\/renew" } }
 *   { "name": "bullmq-lock", "ttl": "4s",
 *     "timer": { "site": "bullmq/dist/esm/classes/lock-manager.js" } }
 *
 * A bad entry is reported (one sentence naming its index, field, the value
 * received and the form expected) and skipped; the others still count.
 */

export interface HttpMatcher {
  method: string | null;
  /** The pattern as written. */
  url: string;
  /** Matched against the full URL (true) or the path without the query. */
  fullUrl: boolean;
  regex: RegExp;
}

export interface TimerMatcher {
  site: string;
  regex: RegExp;
}

export interface DeclaredLease {
  name: string;
  ttlMs: number;
  everyMs: number | null;
  http: HttpMatcher | null;
  timer: TimerMatcher | null;
}

export interface LeasesConfig {
  leases: DeclaredLease[];
  problems: string[];
}

const VAR = 'STARVE_PROBE_LEASES';
const SCHEME_RE = /^[a-z][a-z0-9+.-]*:\/\//i;
const ENTRY_FORM =
  'an object such as {"name":"orders-lock","ttl":"3s","every":"1s",' +
  '"http":{"method":"POST","url":"/leases/*/renew"}}';

export function readLeasesConfig(raw: string | null | undefined): LeasesConfig {
  if (raw === null || raw === undefined || raw.trim() === '') return { leases: [], problems: [] };
  const text = raw.trim();
  let json: string;
  if (text.startsWith('[') || text.startsWith('{')) {
    json = text;
  } else {
    try {
      json = readFileSync(text, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return fail(
        `${VAR} must be JSON text or the path of a JSON file; ` +
          `the file ${JSON.stringify(text)} could not be read (${reason})`,
      );
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return fail(
      `${VAR} must hold valid JSON (an array of lease entries); ` +
        `it does not parse: ${(error as Error).message}`,
    );
  }
  if (!Array.isArray(value)) {
    return fail(`${VAR} must be a JSON array of lease entries; got ${describeType(value)}`);
  }
  const leases: DeclaredLease[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  value.forEach((entry, index) => {
    const result = readEntry(entry, `${VAR}[${index}]`);
    if (typeof result === 'string') {
      problems.push(`${result}; this lease is ignored`);
    } else if (names.has(result.name)) {
      problems.push(
        `${VAR}[${index}].name must be unique; got ${JSON.stringify(result.name)} ` +
          'a second time; this lease is ignored',
      );
    } else {
      names.add(result.name);
      leases.push(result);
    }
  });
  return { leases, problems };
}

function fail(problem: string): LeasesConfig {
  return { leases: [], problems: [`${problem}; no lease is declared`] };
}

function readEntry(entry: unknown, at: string): DeclaredLease | string {
  if (!isObject(entry)) return `${at} must be ${ENTRY_FORM}; got ${describeType(entry)}`;
  const { name, ttl, every, http, timer } = entry;
  if (typeof name !== 'string' || name.trim() === '') {
    return `${at}.name must be a non-empty string; got ${shown(name)}`;
  }
  const ttlMs = duration(ttl, `${at}.ttl`);
  if (typeof ttlMs === 'string') return ttlMs;
  let everyMs: number | null = null;
  if (every !== undefined) {
    const parsed = duration(every, `${at}.every`);
    if (typeof parsed === 'string') return parsed;
    if (parsed >= ttlMs) {
      return `${at}.every must be shorter than its ttl (${ttlMs} ms); got ${shown(every)}`;
    }
    everyMs = parsed;
  }
  if ((http === undefined) === (timer === undefined)) {
    const got = http === undefined ? 'neither' : 'both';
    return `${at} must have exactly one matcher, "http": {"method","url"} or ` +
      `"timer": {"site"}; got ${got}`;
  }
  const base = { name, ttlMs, everyMs, http: null, timer: null };
  if (http !== undefined) {
    const matcher = httpMatcher(http, `${at}.http`);
    return typeof matcher === 'string' ? matcher : { ...base, http: matcher };
  }
  const matcher = timerMatcher(timer, `${at}.timer`);
  return typeof matcher === 'string' ? matcher : { ...base, timer: matcher };
}

function duration(value: unknown, at: string): number | string {
  const parsable = typeof value === 'string' || typeof value === 'number';
  const ms = parsable ? parseDurationMs(value) : undefined;
  if (ms === undefined || ms <= 0) {
    return `${at} must be ${DURATION_FORM}, above zero; got ${shown(value)}`;
  }
  return ms;
}

function httpMatcher(http: unknown, at: string): HttpMatcher | string {
  if (!isObject(http)) {
    return `${at} must be an object such as {"method":"POST","url":"/locks/*/extend"}; ` +
      `got ${describeType(http)}`;
  }
  const { method, url } = http;
  if (method !== undefined && (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method))) {
    return `${at}.method must be an HTTP method such as "POST"; got ${shown(method)}`;
  }
  if (typeof url !== 'string' || url === '' || !(url.startsWith('/') || SCHEME_RE.test(url))) {
    return `${at}.url must be a path pattern such as "/locks/*/extend" or a full URL ` +
      `pattern such as "https://api.example.com/locks/*"; got ${shown(url)}`;
  }
  return {
    method: method === undefined ? null : method.toUpperCase(),
    url,
    fullUrl: SCHEME_RE.test(url),
    regex: new RegExp(`^${wildcard(url)}$`),
  };
}

function timerMatcher(timer: unknown, at: string): TimerMatcher | string {
  if (!isObject(timer)) {
    return `${at} must be an object such as {"site":"node_modules/bullmq"}; ` +
      `got ${describeType(timer)}`;
  }
  const { site } = timer;
  if (typeof site !== 'string' || site.trim() === '') {
    return `${at}.site must be a non-empty substring or *-pattern of the timer's ` +
      `creation site, such as "node_modules/bullmq"; got ${shown(site)}`;
  }
  return { site, regex: new RegExp(wildcard(site)) };
}

/** `*` matches any run of characters; everything else is literal. */
function wildcard(pattern: string): string {
  return pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
}

export function matchesHttp(
  matcher: HttpMatcher,
  method: string,
  fullUrl: string,
  path: string,
): boolean {
  if (matcher.method !== null && matcher.method !== method.toUpperCase()) return false;
  if (matcher.fullUrl) return matcher.regex.test(fullUrl);
  const query = path.indexOf('?');
  return matcher.regex.test(query === -1 ? path : path.slice(0, query));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${shown(value)}`;
}

function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
}
