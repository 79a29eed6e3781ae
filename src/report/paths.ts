import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `file:///home/me/app/src/report.js` → `src/report.js` when under `cwd`. */
export function shortUrl(url: string, cwd: string): string {
  let path: string;
  if (url.startsWith('file://')) {
    try {
      path = fileURLToPath(url);
    } catch {
      return url;
    }
  } else if (isAbsolute(url)) {
    path = url;
  } else {
    return url;
  }
  const rel = relative(cwd, path);
  if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) return rel;
  return path;
}

/** Shortens the location inside a site string, `name (url:line:col)`. */
export function shortSite(site: string, cwd: string): string {
  const match = /^(.*) \((.*?)(:\d+:\d+)\)$/.exec(site);
  if (!match) return site;
  return `${match[1]} (${shortUrl(match[2] ?? '', cwd)}${match[3]})`;
}
