import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { UserSession } from '../auth/session.js';
import { requirePageRole, type SessionEnv } from '../auth/session-http.js';
import { notFound } from '../http/errors.js';
import { DOC_STATUSES, DOC_TYPES } from '../knowledge/schema.js';
import type { SearchFilters } from '../retrieval/types.js';
import type { Services } from '../services.js';
import { CaseForm } from './case-form.js';
import { Layout, Marked } from './layout.js';
import { bookTitle, highlight, outlineOf, resultViews, TYPE_LABELS, type ResultView } from './search-model.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为YYYY-MM-DD');
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

/** The panel's search parameters (query string), validated. */
export const searchParamsSchema = z.object({
  q: z.string().trim().max(200, '查询不能超过200字').default(''),
  type: z.array(z.enum(DOC_TYPES)).max(DOC_TYPES.length).default([]),
  dept: z.preprocess(blankToUndefined, z.string().regex(/^[a-z][a-z0-9_]*$/).optional()),
  status: z.preprocess(blankToUndefined, z.enum(DOC_STATUSES).optional()),
  from: z.preprocess(blankToUndefined, date.optional()),
  to: z.preprocess(blankToUndefined, date.optional()),
});
export type SearchParams = z.infer<typeof searchParamsSchema>;

export function readSearchParams(c: Context): SearchParams {
  return searchParamsSchema.parse({
    q: c.req.query('q') ?? '',
    type: c.req.queries('type') ?? [],
    dept: c.req.query('dept'),
    status: c.req.query('status'),
    from: c.req.query('from'),
    to: c.req.query('to'),
  });
}

export function filtersOf(p: SearchParams): SearchFilters {
  return {
    ...(p.type.length ? { type: p.type } : {}),
    ...(p.dept ? { departments: [p.dept] } : {}),
    ...(p.status ? { status: p.status } : {}),
    ...(p.from ? { publishedFrom: p.from } : {}),
    ...(p.to ? { publishedTo: p.to } : {}),
  };
}

async function runSearch(services: Services, p: SearchParams): Promise<{ views: ResultView[]; tookMs: number }> {
  if (!p.q) return { views: [], tookMs: 0 };
  const res = await services.retriever.search(p.q, { limit: 8, filters: filtersOf(p) });
  return { views: await resultViews(res.hits, p.q, services.passages, services.directory), tookMs: res.tookMs };
}

function Result(props: { v: ResultView; q: string; services: Services }) {
  const { v, q } = props;
  const p = v.hit.passage;
  const depts = p.departments.map((d) => props.services.directory.get(d)?.short ?? d);
  const docHref = `/panel/doc/${encodeURIComponent(p.docId)}?q=${encodeURIComponent(q)}#p${p.order}`;
  return (
    <article class="result" data-doc={p.docId}>
      <header>
        <span class={`tag t-${p.type}`}>{TYPE_LABELS[p.type]}</span>
        <a class="title" href={docHref}>
          {p.title}
        </a>
        {p.status !== '现行有效' && <span class="tag warn">{p.status}</span>}
      </header>
      <div class="meta">
        {[p.docNo, p.issuer, p.published, p.section, depts.join('、')].filter(Boolean).join(' · ')}
      </div>
      <p class="answer">
        <Marked segments={v.answer} />
      </p>
      <details>
        <summary>查看整段</summary>
        <p class="passage">
          <Marked segments={v.passage} />
        </p>
      </details>
      {v.interprets && (
        <div class="links">
          解读对象：
          <a href={`/panel/doc/${encodeURIComponent(v.interprets.docId)}`}>{bookTitle(v.interprets.title)}</a>
        </div>
      )}
      {(v.hit.alsoIn ?? []).length > 0 && (
        <div class="links reposts">
          同文另见：
          {v.hit.alsoIn!.map((d) => (
            <a href={`/panel/doc/${encodeURIComponent(d.docId)}`}>{bookTitle(d.title)}</a>
          ))}
        </div>
      )}
      {v.interpretations.length > 0 && (
        <div class="links">
          相关解读：
          {v.interpretations.map((d) => (
            <a href={`/panel/doc/${encodeURIComponent(d.docId)}`}>{bookTitle(d.title)}</a>
          ))}
        </div>
      )}
      <div class="actions">
        <button type="button" class="copy" data-copy={v.copyText}>
          复制答复口径
        </button>
        <button type="button" class="make-case" data-summary={q} data-dept={p.departments[0] ?? ''} data-cite={`${bookTitle(p.title)}${p.section}`}>
          据此创建工单
        </button>
      </div>
    </article>
  );
}

/** The result list; also served alone as the fragment the search box swaps in while typing. */
export function Results(props: { views: ResultView[]; p: SearchParams; tookMs: number; services: Services }) {
  const { views, p } = props;
  if (!p.q) return <p class="muted">输入来电人的问题，边输入边查询。可按类型、部门、效力状态和发布日期筛选。</p>;
  if (!views.length) return <p class="muted">没有找到相关政策。可以换个说法，或放宽筛选条件；确需部门处理的请创建工单。</p>;
  return (
    <>
      <p class="muted small">
        找到 {views.length} 条相关内容（{props.tookMs} 毫秒）
      </p>
      {views.map((v) => (
        <Result v={v} q={p.q} services={props.services} />
      ))}
    </>
  );
}

function Filters(props: { p: SearchParams; services: Services }) {
  const { p } = props;
  return (
    <div class="filters">
      <fieldset>
        <legend>类型</legend>
        {DOC_TYPES.map((t) => (
          <label class="chk">
            <input type="checkbox" name="type" value={t} checked={p.type.includes(t)} />
            {TYPE_LABELS[t]}
          </label>
        ))}
      </fieldset>
      <label>
        部门
        <select name="dept">
          <option value="">全部部门</option>
          {props.services.directory.list.map((d) => (
            <option value={d.id} selected={p.dept === d.id}>
              {d.short}
            </option>
          ))}
        </select>
      </label>
      <label>
        状态
        <select name="status">
          <option value="">全部</option>
          {DOC_STATUSES.map((s) => (
            <option value={s} selected={p.status === s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        发布日期
        <span class="range">
          <input type="date" name="from" value={p.from ?? ''} aria-label="发布日期起" />—
          <input type="date" name="to" value={p.to ?? ''} aria-label="发布日期止" />
        </span>
      </label>
    </div>
  );
}

function SearchPage(props: { user: UserSession; p: SearchParams; views: ResultView[]; tookMs: number; services: Services }) {
  const { p } = props;
  return (
    <Layout title="政策查询" user={props.user} active="/panel">
      <div class="split">
        <section class="main-col">
          <form id="search" method="get" action="/panel" role="search">
            <div class="searchbar">
              <input id="q" name="q" type="search" value={p.q} placeholder="输入来电人的问题，如：申请政府信息公开要多久答复" autocomplete="off" autofocus maxlength={200} aria-label="查询" />
              <button type="submit" class="primary">查询</button>
            </div>
            <Filters p={p} services={props.services} />
          </form>
          <div id="results" aria-live="polite">
            <Results views={props.views} p={p} tookMs={props.tookMs} services={props.services} />
          </div>
        </section>
        <aside class="side-col">
          <CaseForm user={props.user} services={props.services} summary={p.q} />
        </aside>
      </div>
    </Layout>
  );
}

function DocPage(props: { user: UserSession; services: Services; passages: import('../knowledge/schema.js').Passage[]; q: string }) {
  const first = props.passages[0]!;
  const outline = outlineOf(props.passages);
  let prev: string[] = [];
  return (
    <Layout title={first.title} user={props.user} active="/panel">
      <div class="split doc">
        <nav class="outline card" aria-label="文档大纲">
          <h2>目录</h2>
          <ol>
            {outline.map((o) => (
              <li class={`d${Math.min(o.depth, 4)}`}>
                <a href={`#p${o.order}`}>{o.text}</a>
              </li>
            ))}
          </ol>
        </nav>
        <article class="card docbody">
          <p>
            <a href={`/panel?q=${encodeURIComponent(props.q)}`}>← 返回查询</a>
          </p>
          <h1>{first.title}</h1>
          <p class="meta">
            {[TYPE_LABELS[first.type], first.docNo, first.issuer, first.published, first.status].filter(Boolean).join(' · ')}
            {first.url && (
              <>
                {' · '}
                <a href={first.url} rel="noopener noreferrer" target="_blank">
                  原文
                </a>
              </>
            )}
          </p>
          {props.passages.map((p) => {
            const newHeadings = p.headings.filter((h, i) => prev[i] !== h && !(i === 0 && h === p.title));
            prev = p.headings;
            return (
              <section id={`p${p.order}`}>
                {newHeadings.map((h) => (
                  <h3>{h}</h3>
                ))}
                {p.text.split('\n').map((para) => (
                  <p>
                    <Marked segments={highlight(para, props.q)} />
                  </p>
                ))}
              </section>
            );
          })}
        </article>
      </div>
    </Layout>
  );
}

/** `/panel` search page, `/panel/results` fragment, `/panel/doc/:id` document view. Agents and admins. */
export function searchRoutes(services: Services) {
  const app = new Hono<SessionEnv>();
  app.use('/panel', requirePageRole('agent', 'admin'));
  app.use('/panel/results', requirePageRole('agent', 'admin'));
  app.use('/panel/doc/*', requirePageRole('agent', 'admin'));
  app.get('/panel', async (c) => {
    const p = readSearchParams(c);
    const { views, tookMs } = await runSearch(services, p);
    return c.html(<SearchPage user={c.get('user')!} p={p} views={views} tookMs={tookMs} services={services} />);
  });
  app.get('/panel/results', async (c) => {
    const p = readSearchParams(c);
    const { views, tookMs } = await runSearch(services, p);
    return c.html(<Results views={views} p={p} tookMs={tookMs} services={services} />);
  });
  app.get('/panel/doc/:docId{[a-z0-9][a-z0-9-]{0,100}}', async (c) => {
    const passages = await services.passages.document(c.req.param('docId'));
    if (!passages.length) throw notFound('没有这份文件');
    const q = z.string().max(200).catch('').parse(c.req.query('q') ?? '');
    return c.html(<DocPage user={c.get('user')!} services={services} passages={passages} q={q} />);
  });
  return app;
}
