import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { principalOfSession, readForm, requirePageRole, type SessionEnv } from '../auth/session-http.js';
import type { UserSession } from '../auth/session.js';
import {
  createCaseSchema, departmentId, dispatchSchema, extensionDecisionSchema, feedbackSchema, idempotencyKey, noteSchema, reasonSchema,
} from '../cases/routes/schemas.js';
import { CASE_NUMBER_RE, type CaseListFilter } from '../cases/service.js';
import { CASE_STATUSES, SATISFACTION_LABELS, SATISFACTIONS, type CaseView } from '../cases/types.js';
import { AppError } from '../http/errors.js';
import type { Services } from '../services.js';
import { AuditTrail, CaseFacts, CaseTable, DONE_MESSAGES, DueFilterTail, StatusOptions } from './case-view.js';
import { Csrf, Layout } from './layout.js';

const PAGE_SIZE = 50;

/** List filters from the query string; bad values are a 400 like any input. */
export const caseListQuerySchema = z.object({
  status: z.preprocess((v) => (v === '' ? undefined : v), z.enum(CASE_STATUSES).optional()),
  department: z.preprocess((v) => (v === '' ? undefined : v), departmentId.optional()),
  due: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['over', 'soon']).optional()),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  /** Jump straight to a case by its number (a caller quoting it on the phone). */
  number: z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), z.string().regex(CASE_NUMBER_RE, '工单编号格式应为如 20211105-0001').optional()),
});
export type CaseListQuery = z.infer<typeof caseListQuerySchema>;

export function listFilterOf(q: CaseListQuery): CaseListFilter {
  return {
    ...(q.status ? { status: q.status } : {}),
    ...(q.department ? { department: q.department } : {}),
    ...(q.due === 'over' ? { overdue: true } : q.due === 'soon' ? { nearDue: true } : {}),
    offset: q.offset,
    limit: PAGE_SIZE,
  };
}

/** Form fields as strings (files and repeated fields are not used by any panel form). */
export async function formOf(c: Context): Promise<Record<string, string>> {
  const body = await readForm(c);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k !== '_csrf') out[k] = v;
  return out;
}

/** Empty optional fields are absent, not empty strings. */
export const compact = (o: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));

export function Flash(props: { done?: string; error?: string }) {
  const ok = props.done ? DONE_MESSAGES[props.done] : undefined;
  return (
    <>
      {ok && (
        <p class="notice" role="status">
          {ok}
        </p>
      )}
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
    </>
  );
}

export function Pager(props: { base: string; q: Record<string, string | undefined>; offset: number; total: number }) {
  if (props.total <= PAGE_SIZE) return <></>;
  const link = (offset: number) => `${props.base}?${new URLSearchParams({ ...compact(props.q), offset: String(offset) })}`;
  return (
    <p class="small">
      第 {props.offset + 1}–{Math.min(props.offset + PAGE_SIZE, props.total)} 条，共 {props.total} 条
      {props.offset > 0 && <a href={link(Math.max(0, props.offset - PAGE_SIZE))}> 上一页</a>}
      {props.offset + PAGE_SIZE < props.total && <a href={link(props.offset + PAGE_SIZE)}> 下一页</a>}
    </p>
  );
}

function AgentActions(props: { v: CaseView; user: UserSession; services: Services }) {
  const { v, user } = props;
  const base = `/panel/cases/${v.number}`;
  const forms = [];
  if (v.status === 'new' || v.status === 'returned') {
    forms.push(
      <form method="post" action={`${base}/dispatch`} id="act-dispatch">
        <Csrf user={user} />
        <label>
          派单至
          <select name="department" required>
            <option value="">请选择承办部门</option>
            {props.services.directory.list.map((d) => (
              <option value={d.id} selected={d.id === v.department}>
                {d.short}
              </option>
            ))}
          </select>
        </label>
        <input name="note" maxlength={1000} placeholder="派单说明（可选）" aria-label="派单说明" />
        <button type="submit" class="primary">派单</button>
      </form>,
    );
  }
  if (v.pendingExtension) {
    forms.push(
      <form method="post" action={`${base}/decide`} id="act-decide">
        <Csrf user={user} />
        <div>
          部门申请延期 {v.pendingExtension.days} 个工作日：{v.pendingExtension.reason}
        </div>
        <input name="note" maxlength={1000} placeholder="审批意见（可选）" aria-label="审批意见" />
        <div class="actions">
          <button type="submit" name="approve" value="true" class="primary">同意延期</button>
          <button type="submit" name="approve" value="false" class="secondary">不同意</button>
        </div>
      </form>,
    );
  }
  if ((v.status === 'dispatched' || v.status === 'accepted') && (v.nearDue || v.overdue)) {
    forms.push(
      <form method="post" action={`${base}/urge`} id="act-urge">
        <Csrf user={user} />
        <input name="note" maxlength={1000} placeholder="催办说明（可选）" aria-label="催办说明" />
        <button type="submit" class="primary">{v.overdue ? '督办' : '催办'}</button>
      </form>,
    );
  }
  if (v.status === 'replied') {
    forms.push(
      <form method="post" action={`${base}/close`} id="act-close" data-confirm="确认办结该工单？">
        <Csrf user={user} />
        <input name="note" maxlength={1000} placeholder="办结说明（可选）" aria-label="办结说明" />
        <button type="submit" class="primary">办结</button>
      </form>,
    );
  }
  if (v.status === 'replied' || v.status === 'closed') {
    forms.push(
      <form method="post" action={`${base}/feedback`} id="act-feedback">
        <Csrf user={user} />
        <label>
          回访结果
          <select name="satisfaction">
            {SATISFACTIONS.map((s) => (
              <option value={s}>{SATISFACTION_LABELS[s]}</option>
            ))}
          </select>
        </label>
        <input name="comment" maxlength={1000} placeholder="市民意见（可选）" aria-label="市民意见" />
        <button type="submit" class="primary">记录回访</button>
      </form>,
    );
    if (v.feedback.at(-1)?.satisfaction === 'unsatisfied') {
      forms.push(
        <form method="post" action={`${base}/reopen`} id="act-reopen">
          <Csrf user={user} />
          <input name="reason" required maxlength={1000} placeholder="重办理由" aria-label="重办理由" />
          <button type="submit" class="primary">重办</button>
        </form>,
      );
    }
  }
  return <div class="acts">{forms.length ? forms : <p class="muted">当前状态下没有需要您处理的操作。</p>}</div>;
}

async function detail(c: Context<SessionEnv>, services: Services, number: string, opts: { error?: string; status?: 200 | 400 | 403 | 404 | 409; contact?: string } = {}) {
  const user = c.get('user')!;
  const p = principalOfSession(user);
  const [v, audit] = await Promise.all([services.cases.view(number, p), services.cases.audit(number, p)]);
  return c.html(
    <Layout title={`工单 ${v.number}`} user={user} active="/panel/cases">
      <p>
        <a href="/panel/cases">← 返回工单队列</a>
      </p>
      <Flash done={c.req.query('done')} error={opts.error} />
      <div class="split">
        <section class="card">
          <h1>工单 {v.number}</h1>
          <CaseFacts v={v} user={user} contact={opts.contact} revealHref={`/panel/cases/${v.number}/contact`} />
        </section>
        <aside>
          <section class="card">
            <h2>办理操作</h2>
            <AgentActions v={v} user={user} services={services} />
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
 * Run a workflow action from a form: on success redirect (303) to `doneUrl`; a refused action
 * (400/403/409) re-renders the case with the message through `renderError`.
 */
export async function runCaseAction(
  c: Context<SessionEnv>,
  run: () => Promise<unknown>,
  doneUrl: string,
  renderError: (message: string, status: 400 | 403 | 409) => Promise<Response>,
): Promise<Response> {
  try {
    await run();
  } catch (err) {
    if (err instanceof z.ZodError) return renderError(err.issues.map((i) => i.message).join('；'), 400);
    if (err instanceof AppError && [400, 403, 409].includes(err.status)) return renderError(err.message, err.status as 400 | 403 | 409);
    throw err;
  }
  return c.redirect(doneUrl, 303);
}

/** One workflow action posted from a case page: path segment and what it does with the form. */
export type CaseFormAction = readonly [path: string, run: (number: string, form: Record<string, string>, c: Context<SessionEnv>) => Promise<unknown>];

/**
 * Mount `POST {base}/:number/{path}` for each action: read the form, run the action, redirect to
 * the case with `?done={path}`, or re-render the case with the refusal (see {@link runCaseAction}).
 */
export function mountCaseActions(
  app: Hono<SessionEnv>,
  base: string,
  render: (c: Context<SessionEnv>, number: string, opts: { error: string; status: 400 | 403 | 409 }) => Promise<Response>,
  actions: readonly CaseFormAction[],
): void {
  for (const [path, run] of actions) {
    app.post(`${base}/:number/${path}`, async (c) => {
      const n = c.req.param('number');
      const f = compact(await formOf(c));
      return runCaseAction(c, () => run(n, f, c), `${base}/${n}?done=${path}`, (error, status) => render(c, n, { error, status }));
    });
  }
}

/** Agent / admin pages: `/panel/cases` queue, case detail with every allowed action, create from the search page. */
export function agentCasePages(services: Services) {
  const app = new Hono<SessionEnv>();
  app.use('/panel/cases', requirePageRole('agent', 'admin'));
  app.use('/panel/cases/*', requirePageRole('agent', 'admin'));
  const who = (c: Context<SessionEnv>) => principalOfSession(c.get('user')!);

  app.get('/panel/cases', async (c) => {
    const q = caseListQuerySchema.parse(c.req.query());
    if (q.number) return c.redirect(`/panel/cases/${q.number}`, 303);
    const user = c.get('user')!;
    const [{ items, total }, overdue, nearDue] = await Promise.all([
      services.cases.list(listFilterOf(q), who(c)),
      services.cases.listOverdue(who(c)),
      services.cases.listNearDue(who(c)),
    ]);
    return c.html(
      <Layout title="工单队列" user={user} active="/panel/cases">
        <div class="stats">
          <a class="stat" href="/panel/cases?due=over">
            <b id="count-over">{overdue.length}</b>已超期
          </a>
          <a class="stat" href="/panel/cases?due=soon">
            <b id="count-soon">{nearDue.length}</b>即将到期
          </a>
          <a class="stat" href="/panel/cases?status=new">
            <b>{(await services.cases.list({ status: 'new', limit: 1 }, who(c))).total}</b>待派单
          </a>
        </div>
        <form method="get" action="/panel/cases" class="toolbar card">
          <label>
            状态
            <select name="status">
              <StatusOptions selected={q.status} />
            </select>
          </label>
          <label>
            部门
            <select name="department">
              <option value="">全部部门</option>
              {services.directory.list.map((d) => (
                <option value={d.id} selected={q.department === d.id}>
                  {d.short}
                </option>
              ))}
            </select>
          </label>
          <DueFilterTail due={q.due} total={total} />
        </form>
        <form method="get" action="/panel/cases" class="toolbar">
          <label>
            按编号查找
            <input name="number" placeholder="如 20211105-0001" maxlength={20} inputmode="numeric" />
          </label>
          <button type="submit" class="secondary">查找</button>
        </form>
        <CaseTable items={items} hrefOf={(n) => `/panel/cases/${n}`} showDept />
        <Pager base="/panel/cases" q={{ status: q.status, department: q.department, due: q.due }} offset={q.offset} total={total} />
      </Layout>,
    );
  });

  app.post('/panel/cases/new', async (c) => {
    const user = c.get('user')!;
    const f = await formOf(c);
    const key = idempotencyKey.safeParse(f.idempotencyKey);
    const parsed = createCaseSchema.safeParse({
      type: f.type,
      ...(f.department ? { department: f.department } : {}),
      summary: f.summary ?? '',
      details: compact({ caller: f.caller, what: f.what, cite: f.cite }),
      ...(f.contact?.trim() ? { contact: f.contact } : {}),
      channel: 'panel',
    });
    if (!parsed.success || !key.success) {
      const msg = parsed.success ? '请刷新页面后重试' : parsed.error.issues.map((i) => `${i.path.join('.')}：${i.message}`).join('；');
      throw new AppError(400, 'bad_request', `工单信息有误：${msg}`);
    }
    const p = who(c);
    const { department, ...input } = parsed.data;
    const { case: v } = await services.cases.create(
      { ...input, citizenRef: `panel:${key.data}`, idempotencyKey: `agent:${user.username}:${key.data}` },
      p,
    );
    // Choosing a department on the form means "dispatch now"; a repeated submit finds it done.
    if (department && (v.status === 'new' || v.status === 'returned')) await services.cases.dispatch(v.number, { department }, p);
    return c.redirect(`/panel/cases/${v.number}?done=created`, 303);
  });

  app.get('/panel/cases/:number', (c) => detail(c, services, c.req.param('number')));
  app.post('/panel/cases/:number/contact', async (c) => {
    const n = c.req.param('number');
    const contact = await services.cases.revealContact(n, who(c));
    return detail(c, services, n, contact ? { contact } : {});
  });

  mountCaseActions(app, '/panel/cases', (c, n, opts) => detail(c, services, n, opts), [
    ['dispatch', (n, f, c) => services.cases.dispatch(n, dispatchSchema.parse(f), who(c))],
    ['decide', (n, f, c) => services.cases.decideExtension(n, extensionDecisionSchema.parse({ ...f, approve: f.approve === 'true' }), who(c))],
    ['urge', (n, f, c) => services.cases.urge(n, noteSchema.parse(f), who(c))],
    ['close', (n, f, c) => services.cases.close(n, noteSchema.parse(f), who(c))],
    ['feedback', (n, f, c) => services.cases.feedback(n, feedbackSchema.parse(f), who(c))],
    ['reopen', (n, f, c) => services.cases.reopen(n, reasonSchema.parse(f), who(c))],
  ]);
  return app;
}
