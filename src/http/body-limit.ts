import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit';

export interface BodyLimitOptions {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}

const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Hono's `bodyLimit`, with a fast path for requests that declare their size. A body with a
 * `Content-Length` (and no `Transfer-Encoding`) is judged by that header alone: Node's HTTP
 * parser never delivers more bytes than it declares, so nothing needs to be streamed or counted.
 * Everything else (chunked bodies) goes through Hono's counting middleware.
 *
 * Why not Hono's alone: it asks `c.req.raw.body` first, which makes @hono/node-server build a
 * full WHATWG `Request` (a `ReadableStream` over the socket, `Headers`, an `AbortSignal` tracked
 * through a `WeakRef` and a `FinalizationRegistry`) for every request. Objects held that way
 * survive young-generation collections, so every chat turn promoted them to the old generation
 * and fed the full garbage collections behind the load bench's latency stalls (docs/benchmarks.md,
 * Load). With the fast path, JSON bodies are read straight from the Node request.
 */
export function bodyLimit(opts: BodyLimitOptions): MiddlewareHandler {
  const streaming = streamingBodyLimit(opts);
  return async (c, next) => {
    if (NO_BODY.has(c.req.method)) return next();
    const declared = declaredLength(c);
    if (declared === undefined) return streaming(c, next);
    if (declared > opts.maxSize) return opts.onError(c);
    return next();
  };
}

/** The request's `Content-Length` when it alone frames the body; undefined when chunked or absent. */
function declaredLength(c: Context): number | undefined {
  // Node: the parsed headers of the incoming message (no Headers object built). Elsewhere (Workers): the Request's.
  const incoming = (c.env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined)?.incoming;
  const header = (name: string): string | undefined => {
    if (incoming?.headers) {
      const v = incoming.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    }
    return c.req.header(name);
  };
  if (header('transfer-encoding') !== undefined) return undefined;
  const length = header('content-length');
  if (length === undefined || !/^\d{1,15}$/.test(length.trim())) return undefined;
  return Number(length.trim());
}
