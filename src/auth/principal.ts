import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../http/errors.js';

/** Who is calling a staff API: a hotline agent, a department (bound to one), or an admin. */
export interface Principal {
  kind: 'agent' | 'dept' | 'admin';
  id: string;
  /** Set exactly when `kind` is `dept`. */
  departmentId?: string;
}

/** Finds the principal of a request (bearer token, session cookie, ...); undefined if none. */
export type PrincipalResolver = (c: Context) => Promise<Principal | undefined> | Principal | undefined;

/** Hono env of routes behind {@link authenticate}. */
export type AuthEnv = { Variables: { principal: Principal } };

/**
 * Resolve the caller with the first resolver that knows them and put the principal on the
 * context (`c.get('principal')`); 401 when none does.
 */
export function authenticate(resolvers: readonly PrincipalResolver[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    for (const resolve of resolvers) {
      const p = await resolve(c);
      if (p) {
        c.set('principal', p);
        return next();
      }
    }
    c.header('WWW-Authenticate', 'Bearer realm="yihaoda"');
    throw new AppError(401, 'unauthorized', '需要有效的访问令牌');
  };
}

/** 403 unless the authenticated principal has one of `kinds`. Use after {@link authenticate}. */
export function requireRole(...kinds: Principal['kind'][]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!p || !kinds.includes(p.kind)) throw new AppError(403, 'forbidden', '无权访问');
    return next();
  };
}
