/**
 * Synchronous Node.js APIs that hold the event loop while they wait on the
 * disk, a child process, the compressor or a hash: each is named as users
 * call it (`zlib.gzipSync`) with the asynchronous variant to use instead.
 *
 * Two ways they are recognised (see kind.ts): a frame of Node's own
 * JavaScript wrapper on a stack sample (`gzipSync` in `node:zlib`), or, as
 * weaker evidence, a call written on the source line where the pause
 * landed (the native part of these calls cannot be paused in, so the pause
 * often lands just after it, on the caller's line).
 */

export interface SyncApi {
  /** As users write it: `zlib.gzipSync`. */
  readonly api: string;
  /** What to call instead. */
  readonly asyncVariant: string;
}

interface ModuleApis {
  readonly names: readonly string[];
  readonly asyncOf: (name: string) => string;
}

const MODULES: Record<string, ModuleApis> = {
  fs: {
    names: [
      'readFileSync', 'writeFileSync', 'appendFileSync', 'readdirSync', 'statSync', 'lstatSync',
      'existsSync', 'openSync', 'readSync', 'writeSync', 'closeSync', 'copyFileSync', 'mkdirSync',
      'rmSync', 'unlinkSync', 'renameSync', 'accessSync', 'realpathSync', 'fsyncSync', 'cpSync',
    ],
    asyncOf: (name) =>
      name === 'existsSync' ? 'fs.promises.access' : `fs.promises.${name.slice(0, -4)}`,
  },
  child_process: {
    names: ['execSync', 'execFileSync', 'spawnSync'],
    asyncOf: (name) => `child_process.${name.slice(0, -4)} (with a callback or util.promisify)`,
  },
  zlib: {
    names: [
      'gzipSync', 'gunzipSync', 'deflateSync', 'inflateSync', 'deflateRawSync', 'inflateRawSync',
      'unzipSync', 'brotliCompressSync', 'brotliDecompressSync',
    ],
    asyncOf: (name) => `zlib.${name.slice(0, -4)} (promisified) or a zlib stream`,
  },
  crypto: {
    names: ['pbkdf2Sync', 'scryptSync', 'randomFillSync', 'generateKeyPairSync', 'hkdfSync'],
    asyncOf: (name) => `crypto.${name.slice(0, -4)} (with a callback or util.promisify)`,
  },
};

const BY_NAME = new Map<string, SyncApi>();
for (const [module, spec] of Object.entries(MODULES)) {
  for (const name of spec.names) {
    BY_NAME.set(name, { api: `${module}.${name}`, asyncVariant: spec.asyncOf(name) });
  }
}
const ATOMICS_WAIT: SyncApi = {
  api: 'Atomics.wait',
  asyncVariant: 'Atomics.waitAsync (or a message from the other thread)',
};

/** Node's own wrapper modules, where the sync APIs' JavaScript frames live. */
const NODE_MODULE_URL = /^node:(?:internal\/)?(?:fs|child_process|zlib|crypto)\b/;

/** The sync API a stack frame belongs to, if it is Node's own wrapper of one. */
export function syncApiOfFrame(functionName: string, url: string): SyncApi | null {
  if (functionName === 'wait' && url === '') return ATOMICS_WAIT;
  if (!NODE_MODULE_URL.test(url) && url !== '') return null;
  return BY_NAME.get(functionName) ?? null;
}

const CALL_RE = /\b([A-Za-z]+Sync)\s*\(|\bAtomics\.wait\s*\(/g;

/** The first known sync API called on a source line, if any. */
export function syncApiInSource(line: string): SyncApi | null {
  for (const match of line.matchAll(CALL_RE)) {
    if (match[1] === undefined) return ATOMICS_WAIT;
    const api = BY_NAME.get(match[1]);
    if (api) return api;
  }
  return null;
}

/** Heavy built-ins that are CPU, not I/O, but worth naming when on the line. */
const CPU_CALL_RE = /\b(JSON\.parse|JSON\.stringify|structuredClone)\s*\(/;

export function cpuBuiltinInSource(line: string): string | null {
  return CPU_CALL_RE.exec(line)?.[1] ?? null;
}

/** The entry for an API as users write it (`zlib.gzipSync`). */
export function syncApiByName(api: string): SyncApi | null {
  if (api === ATOMICS_WAIT.api) return ATOMICS_WAIT;
  return BY_NAME.get(api.slice(api.indexOf('.') + 1)) ?? null;
}
