import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NotARecordingError, UnreadableError } from '../errors.js';
import type { AnyEvent, EndEvent, StartEvent } from './events.js';

/**
 * Reads a recording. Tolerates what a killed process leaves behind: a last
 * line cut in the middle is dropped and reported as `truncated`. Lines of
 * unknown event types are kept (callers ignore what they do not know).
 */

export interface Recording {
  path: string;
  events: AnyEvent[];
  start: StartEvent;
  end: EndEvent | null;
  /** The last line was cut short (the process was killed mid-write). */
  truncated: boolean;
  /** Lines in the middle that were not valid JSON events (1-based line numbers). */
  badLines: number[];
}

export function readRecording(path: string): Recording {
  let text: string;
  try {
    if (statSync(path).isDirectory()) {
      throw new NotARecordingError(`${path} is a directory, not a recording; give one of its .ndjson files`);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof NotARecordingError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UnreadableError(`cannot read recording ${path}: ${why}`);
  }
  return parseRecording(text, path);
}

export function parseRecording(text: string, path: string): Recording {
  if (text.trim() === '') {
    throw new NotARecordingError(`${path} is empty: not a starve-probe recording (the process may have been killed before the probe started)`);
  }
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n');
  const events: AnyEvent[] = [];
  const badLines: number[] = [];
  let truncated = false;

  lines.forEach((line, index) => {
    if (line === '') return;
    const isLast = index === lines.length - 1;
    const event = parseLine(line);
    if (event) events.push(event);
    else if (isLast && !endsClean) truncated = true;
    else badLines.push(index + 1);
  });

  const start = events[0];
  if (!start || start.type !== 'start' || typeof (start as StartEvent).v !== 'number') {
    throw new NotARecordingError(`${path} is not a starve-probe recording: its first line is not a "start" event`);
  }
  const end = events.find((e): e is EndEvent => e.type === 'end') ?? null;
  return { path, events, start: start as StartEvent, end, truncated, badLines };
}

function parseLine(line: string): AnyEvent | null {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const event = value as Record<string, unknown>;
    if (typeof event.type !== 'string' || typeof event.time !== 'number') return null;
    return event as unknown as AnyEvent;
  } catch {
    return null;
  }
}

/** Recording files in a directory, oldest first. */
export function recordingsIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.ndjson'))
    .map((name) => join(dir, name))
    .map((path) => ({ path, mtime: safeMtime(path) }))
    .sort((a, b) => a.mtime - b.mtime)
    .map((entry) => entry.path);
}

function safeMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The first line of a file, parsed, or null; cheap enough for discovery. */
export function peekStart(path: string): StartEvent | null {
  try {
    const text = readFileSync(path, 'utf8');
    const nl = text.indexOf('\n');
    const event = parseLine(nl === -1 ? text : text.slice(0, nl));
    return event?.type === 'start' ? (event as StartEvent) : null;
  } catch {
    return null;
  }
}
