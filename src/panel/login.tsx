import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { passwordSchema, usernameSchema } from '../auth/accounts.js';
import { randomToken, tokensEqual } from '../auth/session.js';
import {
  clearSessionCookie, homeOf, isSecureRequest, readForm, setSessionCookie, type SessionEnv,
} from '../auth/session-http.js';
import { clientIp } from '../http/limits.js';
import type { Services } from '../services.js';
import { Layout } from './layout.js';

/** Pre-session CSRF for the sign-in form: a double-submit cookie (nothing to bind to yet). */
const LOGIN_CSRF_COOKIE = 'yhd_login_csrf';

const loginForm = z.object({
  username: z.string().max(64),
  password: z.string().max(200),
  next: z.string().max(500).optional(),
  _csrf: z.string().max(100).optional(),
});

/** Only same-site paths: `/x` but never `//host` or `/\host` (open redirect). */
export function safeNext(next: string | undefined): string | undefined {
  return next && /^\/(?![/\\])/.test(next) ? next : undefined;
}

function LoginPage(props: { token: string; next?: string; error?: string; username?: string }) {
  return (
    <Layout title="登录">
      <section class="card login">
        <h1>工作台登录</h1>
        <p class="muted">12345热线话务员、部门经办人使用</p>
        {props.error && <p class="error" role="alert">{props.error}</p>}
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value={props.token} />
          {props.next && <input type="hidden" name="next" value={props.next} />}
          <label>
            用户名
            <input name="username" autocomplete="username" required maxlength={32} value={props.username ?? ''} autofocus />
          </label>
          <label>
            密码
            <input name="password" type="password" autocomplete="current-password" required maxlength={200} />
          </label>
          <button type="submit" class="primary">登录</button>
        </form>
      </section>
    </Layout>
  );
}

function loginToken(c: Context, services: Services): string {
  const existing = getCookie(c, LOGIN_CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomToken();
  setCookie(c, LOGIN_CSRF_COOKIE, token, {
    path: '/login', httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c, services.config.PUBLIC_BASE_URL), maxAge: 3600,
  });
  return token;
}

/** `GET/POST /login`, `POST /logout`. */
export function loginRoutes(services: Services) {
  const app = new Hono<SessionEnv>();
  app.get('/login', (c) => {
    const user = c.get('user');
    const next = safeNext(c.req.query('next'));
    if (user) return c.redirect(next ?? homeOf(user.role), 303);
    return c.html(<LoginPage token={loginToken(c, services)} next={next} />);
  });

  app.post('/login', async (c) => {
    const parsed = loginForm.safeParse(await readForm(c));
    const token = loginToken(c, services);
    const fail = (status: 400 | 401 | 403 | 429, error: string, username?: string) =>
      c.html(<LoginPage token={token} next={parsed.success ? safeNext(parsed.data.next) : undefined} error={error} username={username} />, status);
    if (!parsed.success) return fail(400, '请输入用户名和密码');
    const form = parsed.data;
    if (!form._csrf || !tokensEqual(form._csrf, token)) return fail(403, '登录页面已过期，请重新提交');
    const username = usernameSchema.safeParse(form.username);
    const password = passwordSchema.safeParse(form.password);
    const client = clientIp(c, services.config.TRUST_PROXY);
    const name = username.success ? username.data : form.username.toLowerCase().slice(0, 32);
    const wait = await services.loginLimiter.blockedFor(name, client);
    if (wait > 0) return fail(429, `登录失败次数过多，请${Math.ceil(wait / 60)}分钟后再试`, name);
    const account = username.success && password.success ? await services.accounts.authenticate(username.data, password.data) : undefined;
    if (!account) {
      await services.loginLimiter.recordFailure(name, client);
      // Name only an existing account: what was typed may be a password in the wrong field.
      const known = username.success && (await services.accounts.get(username.data)) !== undefined;
      services.logger.warn('panel sign-in failed', known ? { user: username.data } : { user: '(unknown)' });
      return fail(401, '用户名或密码错误', name);
    }
    await services.loginLimiter.recordSuccess(account.username);
    const { id } = await services.userSessions.create(account);
    setSessionCookie(c, services, id);
    services.logger.info('panel sign-in', { user: account.username, role: account.role });
    return c.redirect(safeNext(form.next) ?? homeOf(account.role), 303);
  });

  app.post('/logout', async (c) => {
    const id = c.get('userSessionId');
    if (id) await services.userSessions.destroy(id);
    clearSessionCookie(c, services);
    return c.redirect('/login', 303);
  });
  return app;
}
