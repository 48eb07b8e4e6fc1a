import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { principalOfSession, requirePageRole, type SessionEnv } from '../auth/session-http.js';
import type { UserSession } from '../auth/session.js';
import { noteSchema, reasonSchema, replySchema, extensionRequestSchema } from '../cases/routes/schemas.js';
import type { CaseView } from '../cases/types.js';
import type { Services } from '../services.js';
import { caseListQuerySchema, Flash, listFilterOf, mountCaseActions, Pager } from './case-pages.js';
import { AuditTrail, CaseFacts, CaseTable, DueFilterTail, StatusOptions } from './case-view.js';
import { Csrf, Layout } from './layout.js';

function DeptActions(props: { v: CaseView; user: UserSession }) {
  const { v, user } = props;
  const base = `/dept/cases/${v.number}`;
  const forms = [];
  if (v.status === 'dispatched') {
    forms.push(
      <form method="post" action={`${base}/accept`} id="act-accept">
        <Csrf user={user} />
        <input name="note" maxlength={1000} placeholder="签收说明（可选）" aria-label="签收说明" />
        <button type="submit" class="primary">签收</button>
      </form>,
    );
  }
  if (v.status === 'accepted') {
    forms.push(
      <form method="post" action={`${base}/reply`} id="act-reply">
        <Csrf user={user} />
        <label>
          答复内容（将推送给市民）
          <textarea name="text" rows={5} required maxlength={5000}></textarea>
        </label>
        <button type="submit" class="primary">提交答复</button>
      </form>,
    );
    if (!v.pendingExtension) {
      forms.push(
        <form method="post" action={`${base}/extension`} id="act-extension">
          <Csrf user={user} />
          <div class="row2">
            <label>
              延期（工作日）
              <input name="days" type="number" min={1} max={30} value="5" required />
            </label>
            <label>
              延期理由
              <input name="reason" required maxlength={1000} />
            </label>
          </div>
          <button type="submit" class="secondary">申请延期</button>
        </form>,
      );
    }
  }
  if (v.status === 'dispatched' || v.status === 'accepted') {
    forms.push(
      <form method="post" action={`${base}/return`} id="act-return" data-confirm="确认退回该工单？">
        <Csrf user={user} />
        <input name="reason" required maxlength={1000} placeholder="退单理由（如：不属于本单位职责）" aria-label="退单理由" />
        <button type="submit" class="secondary">退单</button>
      </form>,
    );
  }
  return <div class="acts">{forms.length ? forms : <p class="muted">该工单已答复，等待热线回访。</p>}</div>;
}

const deptNameOf = (services: Services, user: UserSession) => (user.dept ? services.directory.get(user.dept)?.short : undefined);

async function deptDetail(c: Context<SessionEnv>, services: Services, number: string, opts: { error?: string; status?: 200 | 400 | 403 | 409; contact?: string } = {}) {
  const user = c.get('user')!;
  const p = principalOfSession(user);
  const [v, audit] = await Promise.all([services.cases.view(number, p), services.cases.audit(number, p)]);
  return c.html(
    <Layout title={`工单 ${v.number}`} user={user} active="/dept" deptName={deptNameOf(services, user)}>
      <p>
        <a href="/dept">← 返回收件箱</a>
      </p>
      <Flash done={c.req.query('done')} error={opts.error} />
      <div class="split">
        <section class="card">
          <h1>工单 {v.number}</h1>
          <CaseFacts v={v} user={user} contact={opts.contact} revealHref={`/dept/cases/${v.number}/contact`} />
        </section>
        <aside>
          <section class="card">
            <h2>办理</h2>
            <DeptActions v={v} user={user} />
          </section>
          <section class="card">
            <h2>办理记录</h2>
            <AuditTrail audit={audit} services={services} />
          </section>
        </aside>
      </div>
    </Layout>,
    opts.status ?? 200,
  );
}

/**
 * `/dept`: a department's inbox. Every lookup goes through the case service with the user's
 * department principal, so another department's case is "not found", exactly as in `/api/dept`.
 */
export function deptPages(services: Services) {
  const app = new Hono<SessionEnv>();
  app.use('/dept', requirePageRole('dept'));
  app.use('/dept/*', requirePageRole('dept'));
  const who = (c: Context<SessionEnv>) => principalOfSession(c.get('user')!);

  app.get('/dept', async (c) => {
    const q = caseListQuerySchema.omit({ department: true, number: true }).parse(c.req.query());
    const user = c.get('user')!;
    const { items, total } = await services.cases.list(listFilterOf(q), who(c));
    return c.html(
      <Layout title="部门收件箱" user={user} active="/dept" deptName={deptNameOf(services, user)}>
        <form method="get" action="/dept" class="toolbar card">
          <strong>{user.dept ? services.directory.get(user.dept)?.name : ''} · 工单收件箱</strong>
          <label>
            状态
            <select name="status">
              <StatusOptions selected={q.status} />
            </select>
          </label>
          <DueFilterTail due={q.due} total={total} />
        </form>
        <CaseTable items={items} hrefOf={(n) => `/dept/cases/${n}`} showDept={false} />
        <Pager base="/dept" q={{ status: q.status, due: q.due }} offset={q.offset} total={total} />
      </Layout>,
    );
  });

  app.get('/dept/cases/:number', (c) => deptDetail(c, services, c.req.param('number')));
  app.post('/dept/cases/:number/contact', async (c) => {
    const n = c.req.param('number');
    const contact = await services.cases.revealContact(n, who(c));
    return deptDetail(c, services, n, contact ? { contact } : {});
  });

  mountCaseActions(app, '/dept/cases', (c, n, opts) => deptDetail(c, services, n, opts), [
    ['accept', (n, f, c) => services.cases.accept(n, noteSchema.parse(f), who(c))],
    ['reply', (n, f, c) => services.cases.reply(n, replySchema.parse(f), who(c))],
    ['return', (n, f, c) => services.cases.returnCase(n, reasonSchema.parse(f), who(c))],
    ['extension', (n, f, c) => {
      const days = z.coerce.number().int().safeParse(f.days);
      return services.cases.requestExtension(n, extensionRequestSchema.parse({ ...f, days: days.success ? days.data : f.days }), who(c));
    }],
  ]);
  return app;
}
