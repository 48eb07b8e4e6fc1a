import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { AppError } from '../http/errors.js';
import type { Services } from '../services.js';
import type { UserRole } from './accounts.js';
import type { Principal, PrincipalResolver } from './principal.js';
import { tokensEqual, type UserSession } from './session.js';

/** Hono variables set by {@link loadUserSession}. */
export type SessionVars = { user?: UserSession; userSessionId?: string };
export type SessionEnv = { Variables: SessionVars };

/**
 * Cookies are `Secure` when the request is https or PUBLIC_BASE_URL is https (TLS ended at a
 * proxy). Secure cookies take the `__Host-` prefix: the browser then refuses them from http, from
 * another path and from a parent domain.
 */
export function isSecureRequest(c: Context, publicBaseUrl?: string): boolean {
  return new URL(c.req.url).protocol === 'https:' || Boolean(publicBaseUrl?.startsWith('https://'));
}

export const cookieName = (secure: boolean) => (secure ? '__Host-yhd_session' : 'yhd_session');

function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, cookieName(true)) ?? getCookie(c, cookieName(false));
}

export function setSessionCookie(c: Context, services: Services, id: string): void {
  const secure = isSecureRequest(c, services.config.PUBLIC_BASE_URL);
  setCookie(c, cookieName(secure), id, { path: '/', httpOnly: true, secure, sameSite: 'Lax' });
}

export function clearSessionCookie(c: Context, services: Services): void {
  const secure = isSecureRequest(c, services.config.PUBLIC_BASE_URL);
  deleteCookie(c, cookieName(secure), { path: '/', secure });
}

/** Load the signed-in user (if any) from the session cookie into `c.var.user`. */
export function loadUserSession(services: Services): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const id = readSessionCookie(c);
    if (id) {
      const session = await services.userSessions.get(id);
      if (session) {
        c.set('user', session);
        c.set('userSessionId', id);
      }
    }
    await next();
  };
}

/**
 * hono/csrf origin check (Origin or Sec-Fetch-Site must be this site) for form posts. Allows
 * PUBLIC_BASE_URL's origin too, for deployments behind a proxy that rewrites the Host.
 */
export function originCheck(services: Services): MiddlewareHandler {
  const publicOrigin = services.config.PUBLIC_BASE_URL ? new URL(services.config.PUBLIC_BASE_URL).origin : undefined;
  return csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin });
}

const SAFE_METHODS = /^(GET|HEAD|OPTIONS)$/;

/**
 * The form fields of a request; a body that is not a well-formed form (e.g. multipart without
 * its boundary parts) is a 400, never a 500.
 */
export async function readForm(c: Context): Promise<Record<string, unknown>> {
  try {
    return (await c.req.parseBody()) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof AppError) throw err; // e.g. 413 from the body limit
    throw new AppError(400, 'bad_request', '表单内容格式不正确');
  }
}

/** The CSRF token a request carries: header `x-csrf-token` (scripts) or form field `_csrf`. */
async function presentedToken(c: Context): Promise<string | undefined> {
  const header = c.req.header('x-csrf-token');
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    const body = await readForm(c);
    return typeof body._csrf === 'string' ? body._csrf : undefined;
  }
  return undefined;
}

/**
 * State-changing requests made with a session cookie must carry the session's CSRF token, on top
 * of the SameSite cookie and the origin check. Requests without a session pass through (they are
 * either bearer-token API calls or get rejected by the role check).
 */
export function requireCsrfToken(): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const user = c.get('user');
    if (user && !SAFE_METHODS.test(c.req.method)) {
      const token = await presentedToken(c);
      if (!token || !tokensEqual(token, user.csrf)) throw new AppError(403, 'csrf', '页面已过期或请求来源不可信，请刷新页面后重试');
    }
    await next();
  };
}

/** Where each role lands after signing in. */
export function homeOf(role: UserRole): string {
  return role === 'dept' ? '/dept' : '/panel';
}

/**
 * Pages: only these roles. Anonymous visitors are sent to the sign-in page (and back afterwards);
 * a signed-in user with another role gets 403.
 */
export function requirePageRole(...roles: UserRole[]): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const user = c.get('user');
    if (!user) {
      // Back to the page afterwards; a form posted after the session expired cannot be replayed.
      const url = new URL(c.req.url);
      return c.redirect(c.req.method === 'GET' ? `/login?next=${encodeURIComponent(url.pathname + url.search)}` : '/login', 303);
    }
    if (!roles.includes(user.role)) throw new AppError(403, 'forbidden', '您的账号无权访问此页面');
    await next();
  };
}

/** Panel JSON endpoints: like {@link requirePageRole} but 401 instead of a redirect. */
export function requireApiRole(...roles: UserRole[]): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const user = c.get('user');
    if (!user) throw new AppError(401, 'unauthorized', '请先登录');
    if (!roles.includes(user.role)) throw new AppError(403, 'forbidden', '您的账号无权执行此操作');
    await next();
  };
}

/**
 * The staff-API principal of a signed-in panel user: the same `Principal` a bearer token yields,
 * so pages can call `/api/cases` and `/api/dept` from the browser with the session cookie (plus
 * the `x-csrf-token` header on writes). Audit trails name the user.
 */
export function principalOfSession(u: Pick<UserSession, 'username' | 'role' | 'dept'>): Principal {
  return u.role === 'dept' ? { kind: 'dept', id: u.username, departmentId: u.dept! } : { kind: u.role, id: u.username };
}

/** For `authenticate([bearerTokenResolver(...), sessionPrincipalResolver])`. */
export const sessionPrincipalResolver: PrincipalResolver = (c) => {
  const user = (c as unknown as { get(k: 'user'): UserSession | undefined }).get('user');
  return user ? principalOfSession(user) : undefined;
};
