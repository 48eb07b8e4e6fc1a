import http from 'node:http';
import https from 'node:https';
import { MeilisearchApiError, MeilisearchRequestError } from 'meilisearch';

/**
 * An HTTP client for meilisearch-js on Node, over `node:http` with keep-alive.
 *
 * Why: Node's built-in `fetch` (undici) adds ~40 ms to every request against a local
 * Meilisearch (a delayed-ACK stall: measured 46 ms median per search with `fetch`, 3 ms with
 * `node:http`, same query; see docs/benchmarks.md). The chat's p95 target is 30 ms, so the Node
 * runtime passes this client; Workers keep the platform `fetch`.
 */
export function createNodeMeiliHttpClient(opts: { maxSockets?: number } = {}) {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 }),
  };
  return (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<unknown> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const body = typeof init?.body === 'string' ? Buffer.from(init.body) : undefined;
    if (body) headers['content-length'] = String(body.length);
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<unknown>((resolveOuter, rejectOuter) => {
      const signal = init?.signal;
      let onAbort: (() => void) | undefined;
      const done = () => onAbort && signal?.removeEventListener('abort', onAbort);
      const resolve = (v: unknown) => (done(), resolveOuter(v));
      const reject = (e: unknown) => (done(), rejectOuter(e));
      const req = mod.request(
        url,
        { method: init?.method ?? 'GET', headers, agent: agents[url.protocol as 'http:' | 'https:'] },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch (err) {
              reject(new MeilisearchRequestError(url.toString(), err));
              return;
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(parsed);
            else reject(new MeilisearchApiError(new Response(text, { status, statusText: res.statusMessage }), parsed as never));
          });
        },
      );
      req.on('error', (err) => reject(new MeilisearchRequestError(url.toString(), err)));
      // The client's timeout arrives as an AbortSignal; listen once per request and let go
      // when it settles (meilisearch-js reuses one signal while polling a task).
      if (signal) {
        onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
      req.end(body);
    });
  };
}
