import { readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Frame } from '../record/events.js';
import { debug } from '../util/debug.js';

/**
 * The application's source files as the watchdog needs them: lines for the
 * attribution rules (is there an await on this line? a *Sync call?), and
 * source maps, so frames of compiled code show the original file and line.
 *
 * Read from the watchdog thread, never the application's, and only when a
 * block happens. Bounded: files over MAX_FILE_BYTES are not read, at most
 * MAX_FILES are kept (oldest dropped), and any failure (no file, bad map)
 * means "not known": the generated position is kept.
 *
 * Source maps are found the way Node finds them: the last
 * `//# sourceMappingURL=` comment of the script, a file next to it or an
 * inline `data:` URL. Works with and without --enable-source-maps (the
 * inspector always reports generated positions).
 */

const MAX_FILES = 64;
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAP_COMMENT = /\/\/[#@]\s*sourceMappingURL=([^\s'"]+)\s*$/;

interface Entry {
  lines: string[] | null;
  map: { map: SourceMap; mapUrl: string } | null | undefined;
}

export class SourceFiles {
  private readonly files = new Map<string, Entry>();

  /**
   * `ownUrlPrefix`: starve-probe's own dist/ folder. Its frames stay as they
   * ran: mapped to src/, which the package does not ship, they would also
   * stop being recognised as the probe's and could be named as a site.
   */
  constructor(private readonly ownUrlPrefix: string | null = null) {}

  /** Text of a 1-based line of a file:// (or absolute path) script, or null. */
  line(url: string, line: number): string | null {
    return this.entry(url)?.lines?.[line - 1] ?? null;
  }

  /**
   * The frame at its original position when its script has a source map,
   * with the generated position kept in `generated`; otherwise unchanged.
   */
  mapFrame(frame: Frame): Frame {
    if (this.ownUrlPrefix && frame.url.startsWith(this.ownUrlPrefix)) return frame;
    const sourceMap = this.sourceMapOf(frame.url);
    if (!sourceMap) return frame;
    try {
      const entry = sourceMap.map.findEntry(frame.line - 1, frame.column - 1) as {
        originalSource?: string; originalLine?: number; originalColumn?: number; name?: string;
      };
      if (entry.originalSource === undefined || entry.originalLine === undefined) return frame;
      return {
        functionName: frame.functionName,
        url: resolveSource(entry.originalSource, sourceMap.mapUrl),
        line: entry.originalLine + 1,
        column: (entry.originalColumn ?? 0) + 1,
        ...(frame.async ? { async: true } : {}),
        generated: { url: frame.url, line: frame.line, column: frame.column },
      };
    } catch (error) {
      debug('source map lookup failed for %s: %s', frame.url, (error as Error).message);
      return frame;
    }
  }

  private entry(url: string): Entry | null {
    const path = pathOf(url);
    if (!path) return null;
    let entry = this.files.get(path);
    if (entry) return entry;
    entry = { lines: readLines(path), map: undefined };
    if (this.files.size >= MAX_FILES) this.files.delete(this.files.keys().next().value as string);
    this.files.set(path, entry);
    return entry;
  }

  private sourceMapOf(url: string): { map: SourceMap; mapUrl: string } | null {
    const entry = this.entry(url);
    if (!entry?.lines) return null;
    if (entry.map === undefined) entry.map = loadMap(entry.lines, url);
    return entry.map;
  }
}

function pathOf(url: string): string | null {
  try {
    if (url.startsWith('file://')) return fileURLToPath(url);
    if (url.startsWith('/')) return url;
  } catch {
    // Not a file URL we can read.
  }
  return null;
}

function readLines(path: string): string[] | null {
  try {
    if (statSync(path).size > MAX_FILE_BYTES) return null;
    return readFileSync(path, 'utf8').split(/\r?\n/);
  } catch {
    return null;
  }
}

function loadMap(
  lines: readonly string[],
  scriptUrl: string,
): { map: SourceMap; mapUrl: string } | null {
  let reference: string | undefined;
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 5; i--) {
    reference = MAP_COMMENT.exec(lines[i] ?? '')?.[1];
    if (reference) break;
  }
  if (!reference) return null;
  try {
    const base = scriptUrl.startsWith('file://') ? scriptUrl : pathToFileURL(scriptUrl).href;
    if (reference.startsWith('data:')) {
      return { map: new SourceMap(parseDataUrl(reference)), mapUrl: base };
    }
    const mapUrl = new URL(reference, base).href;
    const mapPath = fileURLToPath(mapUrl);
    if (statSync(mapPath).size > MAX_FILE_BYTES) return null;
    const payload = JSON.parse(readFileSync(mapPath, 'utf8')) as SourceMapPayload;
    return { map: new SourceMap(payload), mapUrl };
  } catch (error) {
    debug('no usable source map for %s: %s', scriptUrl, (error as Error).message);
    return null;
  }
}

function parseDataUrl(url: string): SourceMapPayload {
  const comma = url.indexOf(',');
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  const text = meta.endsWith(';base64')
    ? Buffer.from(body, 'base64').toString('utf8')
    : decodeURIComponent(body);
  return JSON.parse(text) as SourceMapPayload;
}

function resolveSource(source: string, mapUrl: string): string {
  try {
    return new URL(source, mapUrl).href;
  } catch {
    return source;
  }
}
