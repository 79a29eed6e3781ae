import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { matchesHttp, type DeclaredLease } from './config.js';
import type { LeaseTracker } from './tracker.js';

/**
 * Outgoing HTTP requests as renewals of the leases declared with an `http`
 * matcher. Both clients publish on diagnostics channels, which we subscribe
 * to by name (that works before the channel exists):
 *
 *   fetch (undici)   undici:request:create → :headers | :error
 *   http / https     http.client.request.start → http.client.response.finish
 *                    | http.client.request.error (or the request's close
 *                    without a response, on Node versions without it)
 *
 * A renewal settles when the response headers arrive: 2xx is a success,
 * any other status or an error is a failure. Only requests that match a
 * declared lease are remembered, in a WeakMap keyed by the request object.
 */

interface InFlight {
  lease: DeclaredLease;
  startMono: number;
  settled: boolean;
}

interface UndiciRequest {
  method: string;
  origin: string | URL;
  path: string;
}

export function traceHttpLeases(
  leases: readonly DeclaredLease[],
  tracker: LeaseTracker,
  nowMono: () => number,
): () => void {
  const httpLeases = leases.filter((l) => l.http !== null);
  if (httpLeases.length === 0) return () => {};
  const inFlight = new WeakMap<object, InFlight>();

  const begin = (
    request: object,
    method: string,
    fullUrl: string,
    path: string,
  ): InFlight | null => {
    const lease = httpLeases.find((l) => matchesHttp(l.http!, method, fullUrl, path));
    if (!lease) return null;
    const at = nowMono();
    // Held at least until this first renewal began: a provisional deadline,
    // so a lease whose renewals all fail still expires on record.
    tracker.declare(lease.name, lease.ttlMs, lease.everyMs, 'http', at, true);
    const entry = { lease, startMono: at, settled: false };
    inFlight.set(request, entry);
    return entry;
  };

  const settle = (request: object, ok: boolean, error?: string): void => {
    const entry = inFlight.get(request);
    if (!entry || entry.settled) return;
    entry.settled = true;
    tracker.renewal(entry.lease.name, {
      startMono: entry.startMono,
      settleMono: nowMono(),
      ok,
      ...(error === undefined ? {} : { error }),
    });
  };

  const handlers: Record<string, (message: unknown) => void> = {
    'undici:request:create': (m) => {
      const { request } = m as { request: UndiciRequest };
      const origin = String(request.origin).replace(/\/$/, '');
      begin(request, request.method, origin + request.path, request.path);
    },
    'undici:request:headers': (m) => {
      const { request, response } = m as { request: object; response: { statusCode: number } };
      const status = response.statusCode;
      settle(request, isOk(status), isOk(status) ? undefined : `HTTP ${status}`);
    },
    'undici:request:error': (m) => {
      const { request, error } = m as { request: object; error: unknown };
      settle(request, false, describe(error));
    },
    'http.client.request.start': (m) => {
      const { request } = m as { request: ClientRequest };
      const host = String(request.getHeader('host') ?? request.host);
      const fullUrl = `${request.protocol}//${host}${request.path}`;
      const entry = begin(request, request.method, fullUrl, request.path);
      // Fallback for Node versions without http.client.request.error: a
      // 'close' listener observes without changing how errors propagate.
      if (!entry) return;
      request.prependListener('close', () => {
        const why = request.errored ?? 'the request closed without a response';
        settle(request, false, describe(why));
      });
    },
    'http.client.response.finish': (m) => {
      const { request, response } = m as { request: object; response: IncomingMessage };
      const status = response.statusCode ?? 0;
      settle(request, isOk(status), isOk(status) ? undefined : `HTTP ${status}`);
    },
    'http.client.request.error': (m) => {
      const { request, error } = m as { request: object; error: unknown };
      settle(request, false, describe(error));
    },
  };
  const guarded = Object.entries(handlers).map(([name, handler]) => {
    const safe = (message: unknown): void => {
      try {
        handler(message);
      } catch {
        // A request shape we do not know: never let it reach the application.
      }
    };
    subscribe(name, safe);
    return [name, safe] as const;
  });
  return () => {
    for (const [name, safe] of guarded) unsubscribe(name, safe);
  };
}

function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
