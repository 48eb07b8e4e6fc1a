import { hashPassword, type Account } from '../../src/auth/accounts.js';
import type { Services } from '../../src/services.js';

type App = { request: (input: string, init?: RequestInit) => Response | Promise<Response> };

/** Fast scrypt for test accounts (the production cost is tested in the unit tests). */
const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

/** Create a panel account directly in the store. */
export async function addUser(services: Services, a: Omit<Account, 'passwordHash' | 'createdAt'> & { password: string }): Promise<void> {
  const { password, ...rest } = a;
  await services.accounts.put({ ...rest, passwordHash: await hashPassword(password, TEST_SCRYPT), createdAt: new Date().toISOString() });
}

/**
 * A browser-like client over `app.request`: keeps cookies, sends a same-site Origin on posts,
 * and can sign in through the real form.
 */
export class PanelClient {
  cookies = new Map<string, string>();
  constructor(private app: App, public origin = 'http://localhost') {}

  private store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (!headers.has('accept')) headers.set('accept', 'text/html');
    const res = await this.app.request(new URL(path, this.origin).toString(), { ...init, headers });
    this.store(res);
    return res;
  }

  get(path: string) {
    return this.request(path);
  }

  /** POST a form like a browser on this site would (Origin header set). */
  postForm(path: string, form: Record<string, string>, extra: Record<string, string> = {}) {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin, ...extra },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** The CSRF token rendered into a page (`_csrf` field or body data attribute). */
  static csrfOf(html: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(html) ?? /data-csrf="([^"]+)"/.exec(html);
    if (!m) throw new Error('no CSRF token on the page');
    return m[1]!;
  }

  async login(username: string, password: string): Promise<Response> {
    const page = await (await this.get('/login')).text();
    return this.postForm('/login', { username, password, _csrf: PanelClient.csrfOf(page) });
  }

  /** Sign in and return this session's CSRF token. */
  async signIn(username: string, password: string): Promise<string> {
    const res = await this.login(username, password);
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
    const page = await (await this.get(res.headers.get('location')!)).text();
    return PanelClient.csrfOf(page);
  }
}
