import timers from 'node:timers';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { DeclaredLease } from './config.js';
import type { LeaseTracker } from './tracker.js';

/**
 * Recurring timers as heartbeats, and timer firings as lease renewals.
 *
 * setTimeout and setInterval (the globals and node:timers, the same
 * functions) are wrapped on the main thread. A timer shorter than
 * RECURRING_MIN_PERIOD_MS passes straight to Node after one comparison;
 * bench/timers.mjs measures what that costs.
 *
 * A longer timer gets a *chain*: setInterval is one chain; a setTimeout
 * armed again with the same period from its own callback — synchronously,
 * or from the callback's async continuation before its promise settles
 * (the shape of BullMQ's lock extender) — joins the chain of the firing
 * that armed it. A chain that has armed itself again is recurring. Its
 * creation site (first frame outside Node and starve-probe) is captured
 * once, cheaply (V8 keeps the raw frames; they are formatted only when the
 * site is needed). Each firing compares when it was due with when it ran;
 * later than the block threshold gives `timer-late`.
 *
 * A chain whose site matches a declared timer lease acquires that lease at
 * creation (so a lease is known from its first arm); each firing of a chain
 * that recurs is a renewal whose I/O lasts until the promise the
 * callback returned settles (0 without one). The lease ends when the chain
 * stops: its timer is cleared, or a firing does not arm the next one.
 *
 * What is never changed: the Timeout object returned (ref, unref, hasRef,
 * refresh and Symbol.toPrimitive keep working), `this` and the arguments
 * of the callback, and exceptions it throws. One difference remains: a
 * promise returned by a callback and rejected is observed by us, so
 * 'unhandledRejection' reports our derived promise (same reason) instead
 * of the callback's own.
 */

export const RECURRING_MIN_PERIOD_MS = 1000;
/** How long after a firing settles a re-arm still joins its chain. */
const REARM_SLACK_MS = 50;
const SITE_FRAMES = 12;
const TIMEOUT_MAX_MS = 2 ** 31 - 1;

interface Chain {
  periodMs: number;
  interval: boolean;
  /** Raw frames, until formatted; null when none were taken. */
  holder: { stack?: unknown } | null;
  /** undefined until formatted; null when unknown or no frame qualifies. */
  site: string | null | undefined;
  /** A stack was taken for this chain (at creation or when it recurred). */
  siteTaken: boolean;
  recurring: boolean;
  lease: DeclaredLease | null;
  /** Armed timers of this chain that have neither fired nor been cleared. */
  pending: number;
  /** Firings whose re-arm window is still open. */
  openFirings: number;
  done: boolean;
}

interface Armed {
  chain: Chain;
  dueMono: number;
  fired: boolean;
  cleared: boolean;
}

export interface TimerLateEvent {
  type: 'timer-late';
  site: string | null;
  periodMs: number;
  lateMs: number;
  lease?: string;
}

export interface TimerTracingOptions {
  thresholdMs: number;
  leases: readonly DeclaredLease[];
  tracker: LeaseTracker;
  nowMono: () => number;
  onLate: (event: TimerLateEvent, atMono: number) => void;
  /** URL of starve-probe's dist/ folder: its frames are never a site. */
  probeUrlPrefix: string;
}

type TimerFn = (this: unknown, ...args: unknown[]) => unknown;

export function traceTimers(o: TimerTracingOptions): () => void {
  const timerLeases = o.leases.filter((l) => l.timer !== null);
  const original = {
    setTimeout: timers.setTimeout as unknown as TimerFn,
    setInterval: timers.setInterval as unknown as TimerFn,
    clearTimeout: timers.clearTimeout as unknown as TimerFn,
    clearInterval: timers.clearInterval as unknown as TimerFn,
  };
  const probePathPrefix = o.probeUrlPrefix.startsWith('file:')
    ? decodeURIComponent(new URL(o.probeUrlPrefix).pathname)
    : o.probeUrlPrefix;
  const armedByTimeout = new WeakMap<object, Armed>();
  const liveChainsByLease = new Map<string, number>();
  const windows: Array<{ chain: Chain; closesMono: number }> = [];
  let firing: Chain | null = null;

  function capture(fn: TimerFn): { stack?: unknown } {
    const holder: { stack?: unknown } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = SITE_FRAMES;
    Error.captureStackTrace(holder, fn);
    Error.stackTraceLimit = limit;
    return holder;
  }

  function siteOf(chain: Chain): string | null {
    if (chain.site !== undefined) return chain.site;
    if (chain.holder === null) return null;
    const saved = Error.prepareStackTrace;
    let frames: NodeJS.CallSite[] = [];
    try {
      Error.prepareStackTrace = (_error, callSites) => callSites;
      const stack = chain.holder.stack;
      if (Array.isArray(stack)) frames = stack as NodeJS.CallSite[];
    } finally {
      Error.prepareStackTrace = saved;
    }
    chain.site = firstOutside(frames);
    chain.holder = null;
    return chain.site;
  }

  function firstOutside(frames: NodeJS.CallSite[]): string | null {
    for (const frame of frames) {
      const file = frame.getFileName() ?? '';
      if (file === '' || file.startsWith('node:') || !file.includes('/')) continue;
      if (file.startsWith(o.probeUrlPrefix) || file.startsWith(probePathPrefix)) continue;
      const url = file.startsWith('/') ? pathToFileURL(file).href : file;
      const name = frame.getFunctionName() || frame.getMethodName() || '<anonymous>';
      return `${name} (${url}:${frame.getLineNumber() ?? 0}:${frame.getColumnNumber() ?? 0})`;
    }
    return null;
  }

  function pruneWindows(now: number): void {
    for (let i = windows.length - 1; i >= 0; i--) {
      if ((windows[i] as { closesMono: number }).closesMono < now) windows.splice(i, 1);
    }
  }

  function chainFor(periodMs: number, interval: boolean, fn: TimerFn, now: number): Chain {
    if (!interval && firing && !firing.interval && firing.periodMs === periodMs) {
      firing.recurring = true;
      if (!firing.siteTaken) {
        firing.holder = capture(fn);
        firing.site = undefined;
        firing.siteTaken = true;
      }
      return firing;
    }
    const candidates = interval ? [] : openWindows(periodMs, now);
    // The stack is taken only when the site can matter now: a setInterval,
    // a possible async re-arm, or a declared timer lease to match. A plain
    // long setTimeout (a request timeout) pays nothing more than the chain.
    const eager = interval || candidates.length > 0 || timerLeases.length > 0;
    const chain: Chain = {
      periodMs, interval,
      holder: eager ? capture(fn) : null, site: eager ? undefined : null, siteTaken: eager,
      recurring: interval, lease: null, pending: 0, openFirings: 0, done: false,
    };
    if (candidates.length > 0) {
      const site = siteOf(chain);
      // A chain first armed without a stack has no site to compare: the
      // same period inside its re-arm window is taken as the same chain.
      const same = candidates.find((w) => !w.chain.siteTaken) ??
        candidates.find((w) => siteOf(w.chain) === site);
      if (same) {
        same.chain.recurring = true;
        if (!same.chain.siteTaken) {
          same.chain.site = site;
          same.chain.siteTaken = true;
        }
        return same.chain;
      }
    }
    if (timerLeases.length > 0) acquireLease(chain, now);
    return chain;
  }

  function openWindows(periodMs: number, now: number): Array<{ chain: Chain; closesMono: number }> {
    if (windows.length === 0) return [];
    pruneWindows(now);
    return windows.filter((w) => {
      const chain = w.chain;
      return chain.periodMs === periodMs && !chain.interval && !chain.done;
    });
  }

  function acquireLease(chain: Chain, now: number): void {
    const site = siteOf(chain);
    if (site === null) return;
    const lease = timerLeases.find((l) => l.timer!.regex.test(site));
    if (!lease) return;
    chain.lease = lease;
    liveChainsByLease.set(lease.name, (liveChainsByLease.get(lease.name) ?? 0) + 1);
    o.tracker.declare(lease.name, lease.ttlMs, lease.everyMs ?? chain.periodMs, 'timer', now, true);
  }

  function maybeDone(chain: Chain): void {
    if (chain.done || chain.pending > 0 || chain.openFirings > 0) return;
    chain.done = true;
    if (!chain.lease) return;
    const live = (liveChainsByLease.get(chain.lease.name) ?? 1) - 1;
    liveChainsByLease.set(chain.lease.name, live);
    if (live === 0) o.tracker.end(chain.lease.name);
  }

  function arm(
    orig: TimerFn,
    thisArg: unknown,
    args: IArguments,
    interval: boolean,
    fn: TimerFn,
  ): unknown {
    const callback = args[0] as TimerFn;
    const periodMs = Number(args[1]);
    if (typeof callback !== 'function' || !(periodMs <= TIMEOUT_MAX_MS)) {
      return Reflect.apply(orig, thisArg, args);
    }
    let armed: Armed;
    try {
      const now = o.nowMono();
      const chain = chainFor(periodMs, interval, fn, now);
      chain.pending++;
      armed = { chain, dueMono: now + periodMs, fired: false, cleared: false };
    } catch {
      return Reflect.apply(orig, thisArg, args);
    }
    const copy = Array.prototype.slice.call(args);
    copy[0] = function (this: unknown, ...callArgs: unknown[]): void {
      fire(armed, callback, this, callArgs);
    };
    const timeout = Reflect.apply(orig, thisArg, copy) as object;
    if (armed.chain.lease) armedByTimeout.set(timeout, armed);
    return timeout;
  }

  function fire(armed: Armed, callback: TimerFn, thisArg: unknown, args: unknown[]): void {
    const chain = armed.chain;
    const startMono = o.nowMono();
    const dueMono = armed.dueMono;
    try {
      beforeFiring(armed, startMono);
    } catch {
      // Bookkeeping must never stop the application's callback.
    }
    const previous = firing;
    firing = chain;
    let result: unknown;
    try {
      result = Reflect.apply(callback, thisArg, args);
    } catch (error) {
      firing = previous;
      afterFiring(chain, startMono, dueMono, false, error);
      throw error;
    }
    firing = previous;
    if (isThenable(result)) {
      void Promise.resolve(result).then(
        () => afterFiring(chain, startMono, dueMono, true),
        (error: unknown) => {
          afterFiring(chain, startMono, dueMono, false, error);
          throw error;
        },
      );
    } else {
      afterFiring(chain, startMono, dueMono, true);
    }
  }

  function beforeFiring(armed: Armed, startMono: number): void {
    const chain = armed.chain;
    const lateMs = startMono - armed.dueMono;
    if (chain.interval) {
      armed.dueMono = startMono + chain.periodMs;
    } else {
      armed.fired = true;
      chain.pending--;
      chain.openFirings++;
    }
    if ((chain.recurring || chain.lease) && lateMs > o.thresholdMs) {
      const event: TimerLateEvent = {
        type: 'timer-late',
        site: siteOf(chain),
        periodMs: chain.periodMs,
        lateMs: Math.round(lateMs * 100) / 100,
        ...(chain.lease ? { lease: chain.lease.name } : {}),
      };
      o.onLate(event, startMono);
    }
  }

  function afterFiring(
    chain: Chain,
    startMono: number,
    dueMono: number,
    ok: boolean,
    error?: unknown,
  ): void {
    try {
      const settleMono = o.nowMono();
      // Only a timer that recurs renews a lease: a one-shot setTimeout
      // created at a matching site (a request timeout, a delayed job) is
      // not a renewal, however long its callback ran.
      if (chain.lease && (chain.interval || chain.recurring)) {
        o.tracker.renewal(chain.lease.name, {
          startMono, settleMono, ok, dueMono,
          ...(ok ? {} : { error: describe(error) }),
        });
      }
      if (chain.interval) return;
      windows.push({ chain, closesMono: settleMono + REARM_SLACK_MS });
      const close = (): void => {
        chain.openFirings--;
        maybeDone(chain);
      };
      if (chain.lease) {
        const timer = original.setTimeout.call(undefined, close, REARM_SLACK_MS);
        (timer as NodeJS.Timeout).unref();
      }
      else chain.openFirings--;
    } catch {
      // Never let bookkeeping reach the application.
    }
  }

  function clear(orig: TimerFn, thisArg: unknown, args: IArguments): unknown {
    const timeout = args[0];
    if (typeof timeout === 'object' && timeout !== null) {
      const armed = armedByTimeout.get(timeout);
      if (armed && !armed.cleared && !armed.fired) {
        armed.cleared = true;
        armed.chain.pending--;
        maybeDone(armed.chain);
      }
    }
    return Reflect.apply(orig, thisArg, args);
  }

  type Wrapper = (this: unknown, callback?: unknown, delay?: unknown) => unknown;
  const setTimeoutWrapper: Wrapper = function setTimeout(_callback, delay) {
    // The one comparison every short timer pays.
    if (!((delay as number) >= RECURRING_MIN_PERIOD_MS)) {
      return Reflect.apply(original.setTimeout, this, arguments);
    }
    return arm(original.setTimeout, this, arguments, false, wrapped.setTimeout);
  };
  const setIntervalWrapper: Wrapper = function setInterval(_callback, delay) {
    if (!((delay as number) >= RECURRING_MIN_PERIOD_MS)) {
      return Reflect.apply(original.setInterval, this, arguments);
    }
    return arm(original.setInterval, this, arguments, true, wrapped.setInterval);
  };
  const wrapped: Record<'setTimeout' | 'setInterval' | 'clearTimeout' | 'clearInterval', TimerFn> = {
    setTimeout: withExtras(original.setTimeout, setTimeoutWrapper as TimerFn),
    setInterval: withExtras(original.setInterval, setIntervalWrapper as TimerFn),
    clearTimeout: withExtras(original.clearTimeout, function clearTimeout(this: unknown): unknown {
      return clear(original.clearTimeout, this, arguments);
    }),
    clearInterval: withExtras(original.clearInterval, function clearInterval(
      this: unknown,
    ): unknown {
      return clear(original.clearInterval, this, arguments);
    }),
  };
  const names: string[] = timerLeases.length > 0
    ? ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval']
    : ['setTimeout', 'setInterval'];
  install(names, wrapped);
  return () => install(names, original as Record<string, TimerFn>);
}

function install(names: readonly string[], fns: Record<string, TimerFn>): void {
  const globals = globalThis as unknown as Record<string, unknown>;
  const exports = timers as unknown as Record<string, unknown>;
  for (const name of names) {
    if (globals[name] === exports[name]) globals[name] = fns[name];
    exports[name] = fns[name];
  }
  syncBuiltinESMExports();
}

/** Keeps util.promisify(setTimeout) and friends working through the wrapper. */
function withExtras(original: TimerFn, wrapper: TimerFn): TimerFn {
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(original, key);
    if (descriptor) Reflect.defineProperty(wrapper, key, descriptor);
  }
  return wrapper;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function';
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
