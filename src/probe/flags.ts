/**
 * The watchdog must not run the preload again, nor any other preload of the
 * application (an APM agent, a TypeScript loader): it is our thread, not
 * theirs. Worker threads inherit `execArgv` and, for `--require`, the
 * NODE_OPTIONS the process started with, so both are cleaned before the
 * worker starts.
 */

const PRELOAD_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

function isPreloadToken(token: string): boolean {
  const eq = token.indexOf('=');
  return PRELOAD_FLAGS.has(eq === -1 ? token : token.slice(0, eq));
}

/** Remove preload flags (and their values) from an argument list. */
export function stripPreloads(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i] ?? '';
    if (isPreloadToken(token)) {
      if (!token.includes('=')) i++;
      continue;
    }
    kept.push(token);
  }
  return kept;
}

/** Split NODE_OPTIONS the way Node does: on spaces, honouring double quotes. */
export function splitNodeOptions(value: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  let inToken = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] ?? '';
    if (ch === '\\' && quoted && i + 1 < value.length) {
      current += value[++i];
    } else if (ch === '"') {
      quoted = !quoted;
      inToken = true;
    } else if (ch === ' ' && !quoted) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

function quoteNodeOption(token: string): string {
  return /[\s"\\]/.test(token) ? `"${token.replace(/(["\\])/g, '\\$1')}"` : token;
}

export function joinNodeOptions(tokens: readonly string[]): string {
  return tokens.map(quoteNodeOption).join(' ');
}

/** The environment for the watchdog: the process's, without preloads. */
export function watchdogEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  if (copy.NODE_OPTIONS !== undefined) {
    const kept = stripPreloads(splitNodeOptions(copy.NODE_OPTIONS));
    if (kept.length > 0) copy.NODE_OPTIONS = joinNodeOptions(kept);
    else delete copy.NODE_OPTIONS;
  }
  return copy;
}
