import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, errorResponse } from './errors.js';

function appThrowing(err: unknown) {
  const app = new Hono();
  app.get('/', () => {
    throw err;
  });
  app.onError((e, c) => errorResponse(e, c));
  return app;
}

describe('errorResponse', () => {
  it('maps domain errors to their status and code', async () => {
    const res = await appThrowing(new AppError(409, 'illegal_transition', '不能这样做')).request('/');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'illegal_transition', message: '不能这样做' } });
  });

  it('maps zod errors to 400 naming the field', async () => {
    const parsed = z.object({ message: z.string() }).safeParse({});
    const res = await appThrowing(parsed.error).request('/');
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain('message');
  });

  it('maps an unreachable Redis to 503 with Retry-After, not 500', async () => {
    const err = Object.assign(new Error('Reached the max retries per request limit (which is 2).'), { name: 'MaxRetriesPerRequestError' });
    const res = await appThrowing(err).request('/');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await res.json()).error.code).toBe('unavailable');
  });

  it('hides unexpected errors behind a 500 without details', async () => {
    const res = await appThrowing(new Error('secret internals')).request('/');
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).not.toContain('secret internals');
  });
});
