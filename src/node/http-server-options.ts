import type { ServerOptions } from 'node:http';
import type { Config } from '../config.js';

/**
 * Node HTTP server settings against slow clients (slowloris): a request must deliver its
 * headers within HTTP_HEADERS_TIMEOUT_MS and its whole body within HTTP_REQUEST_TIMEOUT_MS, and an
 * idle keep-alive connection is closed after HTTP_KEEPALIVE_TIMEOUT_MS. Node checks these only
 * every `connectionsCheckingInterval` (default 30 s), so that is tightened too.
 */
export function nodeServerOptions(
  config: Pick<Config, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEPALIVE_TIMEOUT_MS'>,
): ServerOptions {
  const requestTimeout = Math.max(config.HTTP_REQUEST_TIMEOUT_MS, config.HTTP_HEADERS_TIMEOUT_MS);
  return {
    headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeout,
    keepAliveTimeout: config.HTTP_KEEPALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 4))),
    // 16 KiB of headers is plenty for this API; larger header blocks are refused with 431.
    maxHeaderSize: 16 * 1024,
  };
}
