import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { requirePageRole, type SessionEnv } from '../auth/session-http.js';
import { notFound } from '../http/errors.js';
import type { Services } from '../services.js';
import type { TopicSummary, Window } from '../topics/report.js';
import type { InterpretationSuggestion } from '../topics/suggestions.js';
import { barChart, lineChart, percent, pieChart } from './charts.js';
import { Layout } from './layout.js';
import { bookTitle } from './search-model.js';
import { VENDOR_PATHS } from './static-assets.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), '日期不存在');
const windowSchema = z
  .object({ from: day, to: day })
  .refine((w) => w.from <= w.to, { message: '开始日期不能晚于结束日期', path: ['from'] })
  .refine((w) => Date.parse(w.to) - Date.parse(w.from) <= 366 * 86_400_000, { message: '时间跨度不能超过366天', path: ['to'] });

/** The window from `from`/`to`, or the topic service's default (the last 7 days). */
function windowOf(c: Context, services: Services): Window {
  const from = c.req.query('from');
  const to = c.req.query('to');
  if (!from && !to) return services.topics.defaultWindow(7);
  const d = services.topics.defaultWindow(7);
  return windowSchema.parse({ from: from || d.from, to: to || d.to });
}

const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);
const growthText = (t: Pick<TopicSummary, 'growth' | 'previous'>) =>
  t.growth === null ? (t.previous === 0 ? '新出现' : '—') : `${t.growth >= 0 ? '+' : ''}${Math.round(t.growth * 100)}%`;

function WindowForm(props: { w: Window; action: string; csv: Array<[string, string]> }) {
  // The CSV files come from the topics API (same session cookie), so the columns live in one place.
  const qs = `from=${props.w.from}&to=${props.w.to}&limit=100`;
  return (
    <form method="get" action={props.action} class="toolbar card">
      <strong>群众关注热点</strong>
      <label>
        起
        <input type="date" name="from" value={props.w.from} required />
      </label>
      <label>
        止
        <input type="date" name="to" value={props.w.to} required />
      </label>
      <button type="submit" class="primary">统计</button>
      {props.csv.map(([href, label]) => (
        <a class="button" href={`${href}?${qs}`} download>
          {label}
        </a>
      ))}
    </form>
  );
}

function deptNames(services: Services, t: TopicSummary): string {
  return t.departments.map((d) => services.directory.get(d.id)?.short ?? d.id).join('、');
}

function Suggestions(props: { items: InterpretationSuggestion[] }) {
  if (!props.items.length) return <p class="muted">当前时间段没有需要补充解读的话题。</p>;
  return (
    <>
      {props.items.map((s) => (
        <article class="result suggestion">
          <header>
            {s.rising && <span class="tag warn">升温</span>}
            {s.matchedDocuments.length === 0 && <span class="tag warn">知识空白</span>}
            <a class="title" href={`/panel/topics/${s.topicId}`}>
              {s.label}
            </a>
          </header>
          <p class="answer">
            <b>{s.summary}</b>
          </p>
          <ul class="small">
            {s.reasons.map((r) => (
              <li>{r}</li>
            ))}
          </ul>
          <details>
            <summary>群众原话（已脱敏）</summary>
            <ul class="small">
              {s.sampleQuestions.map((q) => (
                <li>{q}</li>
              ))}
            </ul>
          </details>
        </article>
      ))}
    </>
  );
}

/** `/panel/topics` dashboard and `/panel/topics/:id`; data from `services.topics`, CSV from `/api/topics/*.csv`. */
export function topicPages(services: Services) {
  const app = new Hono<SessionEnv>();
  for (const p of ['/panel/topics', '/panel/topics/*']) app.use(p, requirePageRole('agent', 'admin'));

  app.get('/panel/topics', async (c) => {
    const w = windowOf(c, services);
    const [hot, suggestions] = await Promise.all([services.topics.hot(w, 20), services.topics.suggestions(w, 10)]);
    const top = hot.slice(0, 10);
    const short = (s: string) => (s.length > 14 ? `${s.slice(0, 14)}…` : s);
    const volume = barChart('关注人数前十的话题', top.map((t) => short(t.label)), [
      { name: '关注人数', data: top.map((t) => t.askers) },
      { name: '上一周期', data: top.map((t) => t.previous) },
    ], { horizontal: true });
    const outcomes = hot.reduce((acc, t) => {
      for (const [k, v] of Object.entries(t.outcomes)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {} as Record<string, number>);
    const OUTCOME_LABELS: Record<string, string> = { answered: '直接答复', clarified: '追问澄清', escalated: '转工单/人工', failed: '未能回答', other: '其他' };
    const pie = pieChart('提问处理结果', Object.entries(outcomes).filter(([, v]) => v > 0).map(([k, v]) => ({ name: OUTCOME_LABELS[k] ?? k, value: v })));
    const rates = barChart('直接答复率与“没用”占比', top.map((t) => short(t.label)), [
      { name: '直接答复率', data: top.map((t) => percent(t.answeredShare)) },
      { name: '“没用”占比', data: top.map((t) => percent(t.downShare)) },
    ], { percent: true, horizontal: true });
    return c.html(
      <Layout title="热点话题" user={c.get('user')} active="/panel/topics" scripts={[VENDOR_PATHS.echarts, '/panel/assets/charts.js']}>
        <WindowForm w={w} action="/panel/topics" csv={[['/api/topics/hot.csv', '导出话题CSV'], ['/api/topics/suggestions.csv', '导出解读建议CSV']]} />
        {hot.length === 0 ? (
          <p class="card muted">该时间段内还没有群众提问记录。</p>
        ) : (
          <>
            <div class="charts">
              <div class="card"><div class="chart" id="chart-topics" data-chart={JSON.stringify(volume)}></div></div>
              <div class="card"><div class="chart" id="chart-outcomes" data-chart={JSON.stringify(pie)}></div></div>
            </div>
            <div class="split">
              <section>
                <table class="grid" id="topic-table">
                  <thead>
                    <tr>
                      <th>话题</th><th>关注</th><th>环比</th><th>直接答复</th><th>“没用”</th><th>部门</th><th>引用文件</th>
                    </tr>
                  </thead>
                  <tbody>
                    {hot.map((t) => (
                      <tr>
                        <td>
                          <a href={`/panel/topics/${t.id}?from=${w.from}&to=${w.to}`}>{t.label}</a>
                          <div class="muted small">{t.keywords.slice(0, 5).join(' · ')}</div>
                        </td>
                        <td>{t.askers}</td>
                        <td class={t.rising ? 'rise nowrap' : 'nowrap'}>{growthText(t)}</td>
                        <td>{pct(t.answeredShare)}</td>
                        <td>{t.feedback.down}</td>
                        <td>{deptNames(services, t)}</td>
                        <td>{t.knowledgeGap ? <span class="tag warn">知识空白</span> : t.documents.slice(0, 2).map((d) => bookTitle(d.title ?? d.id)).join('')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <div class="card"><div class="chart" id="chart-rates" data-chart={JSON.stringify(rates)}></div></div>
              </section>
              <aside class="card">
                <h2>建议补充的政策解读</h2>
                <Suggestions items={suggestions} />
              </aside>
            </div>
          </>
        )}
      </Layout>,
    );
  });

  app.get('/panel/topics/:id{t[0-9a-f]{12}}', async (c) => {
    const w = windowOf(c, services);
    const t = await services.topics.topic(c.req.param('id'), w);
    if (!t) throw notFound('没有这个话题');
    const daily = lineChart('每日提问', t.daily.map((d) => d.day), [
      { name: '提问数', data: t.daily.map((d) => d.messages) },
      { name: '关注人次', data: t.daily.map((d) => d.weight) },
    ]);
    return c.html(
      <Layout title={t.label} user={c.get('user')} active="/panel/topics" scripts={[VENDOR_PATHS.echarts, '/panel/assets/charts.js']}>
        <p>
          <a href={`/panel/topics?from=${w.from}&to=${w.to}`}>← 返回热点话题</a>
        </p>
        <div class="split">
          <section class="card">
            <h1>{t.label}</h1>
            <p class="muted">{t.keywords.join(' · ')}</p>
            <div class="chart" id="chart-daily" data-chart={JSON.stringify(daily)}></div>
            <h3>群众原话（已脱敏）</h3>
            <ul id="samples">
              {t.samples.map((s) => (
                <li>{s.q}</li>
              ))}
            </ul>
          </section>
          <aside class="card">
            <dl class="kv">
              <dt>关注人数</dt><dd>{t.askers}</dd>
              <dt>提问数</dt><dd>{t.messages}</dd>
              <dt>环比</dt><dd>{growthText(t)}</dd>
              <dt>直接答复率</dt><dd>{pct(t.answeredShare)}</dd>
              <dt>有用/没用</dt><dd>{t.feedback.up} / {t.feedback.down}</dd>
              <dt>涉及部门</dt><dd>{deptNames(services, t) || '—'}</dd>
              <dt>引用文件</dt>
              <dd>{t.knowledgeGap ? '无（知识空白）' : t.documents.map((d) => `${bookTitle(d.title ?? d.id)}×${d.count}`).join('\n')}</dd>
            </dl>
          </aside>
        </div>
      </Layout>,
    );
  });
  return app;
}
