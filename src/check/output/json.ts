import type { Verdict } from '../verdict.js';

/**
 * The verdict for machines. Stable fields: `ok`, `exitCode`, `strict`,
 * `results[]` (`flag`, `status` pass|fail|no-data, `measured` in the
 * limit's unit or null, `limit`, `sentence`, `evidence[]`), `command`
 * (`argv`, `code`, `signal`) or null, `recordings[]`, `budget`, `notes`.
 */
export function renderJson(v: Verdict): string {
  return JSON.stringify({ exitCode: v.ok ? 0 : 1, ...v }, null, 2) + '\n';
}
