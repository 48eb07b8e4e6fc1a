import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { isRedisUnavailable } from '../store/redis.js';

/** A domain error that maps to an HTTP status and a stable machine-readable code. */
export class AppError extends Error {
  constructor(
    public readonly status: ContentfulStatusCode,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError(400, 'bad_request', message, details);
export const notFound = (message = '资源不存在') => new AppError(404, 'not_found', message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const unauthorized = (message = '需要登录或有效令牌') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = '无权访问') => new AppError(403, 'forbidden', message);

export interface ErrorBody {
  error: { code: string; message: string; requestId?: string; details?: unknown };
}

/** Describe zod issues as "field: message" lines, so a client sees the field at fault. */
export function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}

/** The one place errors become HTTP responses. */
export function errorResponse(err: unknown, c: Context, log?: (e: unknown) => void): Response {
  const requestId = c.get('requestId' as never) as string | undefined;
  const body = (status: ContentfulStatusCode, code: string, message: string, details?: unknown) =>
    c.json<ErrorBody>({ error: { code, message, requestId, ...(details === undefined ? {} : { details }) } }, status);
  if (err instanceof AppError) return body(err.status, err.code, err.message, err.details);
  if (err instanceof z.ZodError) return body(400, 'bad_request', describeZodError(err));
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? 'payload_too_large' : status === 400 ? 'bad_request' : status === 401 ? 'unauthorized' : 'http_error';
    return body(status, code, err.message || 'request rejected');
  }
  log?.(err);
  if (isRedisUnavailable(err)) {
    // The store could not be reached: a transient outage, not a bug; tell clients to retry.
    c.header('Retry-After', '5');
    return body(503, 'unavailable', '服务暂时不可用，请稍后再试');
  }
  return body(500, 'internal', '服务暂时出现问题，请稍后再试');
}
