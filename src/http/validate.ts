import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { AppError, describeZodError } from './errors.js';

/**
 * `zValidator` whose failures become our `{error:{code,message}}` 400 (malformed JSON included),
 * naming the field at fault.
 */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw new AppError(400, 'bad_request', describeZodError(result.error as unknown as z.ZodError));
  });
}

/** No C0/C1 control characters except tab and newlines. */
export const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
