import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { authenticate, requireRole, type AuthEnv } from '../auth/principal.js';
import { AppError, notFound } from '../http/errors.js';
import { validate } from '../http/validate.js';
import type { Services } from '../services.js';
import { toCsv } from './csv.js';
import { dayNumber } from './keys.js';
import type { TopicDetail, TopicSummary, Window } from './report.js';
import { FeedbackTargetMissing } from './service.js';
import type { InterpretationSuggestion } from './suggestions.js';

const MAX_WINDOW_DAYS = 366;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), '不是有效日期');

export const windowQuerySchema = z.object({
  from: day.optional(),
  to: day.optional(),
  limit: z.coerce.number().int().min(1, 'limit 至少为1').max(100, 'limit 最多为100').optional(),
  format: z.enum(['json', 'csv']).optional(),
});

type WindowQuery = z.infer<typeof windowQuerySchema>;

/** The requested window; default: the last 30 days (or 30 days up to `to`). */
function windowOf(services: Services, q: WindowQuery): Window {
  const def = services.topics.defaultWindow(30);
  const to = q.to ?? def.to;
  const from = q.from ?? (q.to ? new Date((dayNumber(to) - 29) * 86_400_000).toISOString().slice(0, 10) : def.from);
  const span = dayNumber(to) - dayNumber(from) + 1;
  if (span < 1) throw new AppError(400, 'bad_request', 'from 不能晚于 to');
  if (span > MAX_WINDOW_DAYS) throw new AppError(400, 'bad_request', `时间范围最多${MAX_WINDOW_DAYS}天`);
  return { from, to };
}

function csvResponse(c: Context, body: string, name: string) {
  return c.body(body, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}.csv"`,
  });
}

const share = (x: number | null) => (x === null ? '' : `${Math.round(x * 100)}%`);
const growth = (x: number | null) => (x === null ? '新出现' : `${x >= 0 ? '+' : ''}${Math.round(x * 100)}%`);

function hotCsv(rows: TopicSummary[], departmentName: (id: string) => string | undefined) {
  return toCsv(rows, [
    ['话题编号', (t) => t.id],
    ['代表性提问', (t) => t.label],
    ['关键词', (t) => t.keywords],
    ['提问数', (t) => t.messages],
    ['关注人数（含附议）', (t) => t.askers],
    ['附议（点赞）', (t) => t.likes],
    ['上一时段关注量', (t) => t.previous],
    ['增长', (t) => growth(t.growth)],
    ['突然升温', (t) => (t.rising ? '是' : '否')],
    ['直接答复率', (t) => share(t.answeredShare)],
    ['未解决率', (t) => share(t.unansweredShare)],
    ['“没用”评价占比', (t) => share(t.downShare)],
    ['涉及部门', (t) => t.departments.map((d) => `${departmentName(d.id) ?? d.id}(${d.count})`)],
    ['答复所用文件', (t) => t.documents.map((d) => `《${d.title ?? d.id}》(${d.count})`)],
    ['知识空白', (t) => (t.knowledgeGap ? '是' : '否')],
    ['示例提问', (t) => t.samples.map((s) => s.q)],
  ]);
}

function detailCsv(t: TopicDetail) {
  return toCsv(t.daily, [
    ['话题编号', () => t.id],
    ['代表性提问', () => t.label],
    ['日期', (d) => d.day],
    ['提问数', (d) => d.messages],
    ['关注量（提问+附议）', (d) => d.weight],
  ]);
}

function suggestionsCsv(rows: InterpretationSuggestion[]) {
  return toCsv(rows, [
    ['话题编号', (s) => s.topicId],
    ['代表性提问', (s) => s.label],
    ['建议', (s) => s.summary],
    ['理由', (s) => s.reasons],
    ['关注人数', (s) => s.askers],
    ['提问数', (s) => s.messages],
    ['增长', (s) => growth(s.growth)],
    ['直接答复率', (s) => share(s.answeredShare)],
    ['“没用”评价占比', (s) => share(s.downShare)],
    ['责任部门', (s) => s.department?.name ?? s.department?.id ?? '待确定'],
    ['目前匹配的文件', (s) => s.matchedDocuments.map((d) => `《${d.title ?? d.id}》`)],
    ['示例提问', (s) => s.sampleQuestions],
  ]);
}

/**
 * `GET /api/topics/hot`, `/api/topics/suggestions`, `/api/topics/:id`, each also as CSV
 * (`?format=csv` or a `.csv` suffix). Hotline agents and admins only.
 */
export function topicRoutes(services: Services) {
  const deptName = (id: string) => services.directory.get(id)?.name;
  const wantsCsv = (c: Context, q: WindowQuery) => q.format === 'csv' || c.req.path.endsWith('.csv');
  const app = new Hono<AuthEnv>().use(authenticate(services.auth.resolvers), requireRole('agent', 'admin'));

  for (const path of ['/hot', '/hot.csv']) {
    app.get(path, validate('query', windowQuerySchema), async (c) => {
      const q = c.req.valid('query');
      const w = windowOf(services, q);
      const topics = await services.topics.hot(w, q.limit ?? 10);
      if (wantsCsv(c, q)) return csvResponse(c, hotCsv(topics, deptName), `hot-topics-${w.from}-${w.to}`);
      return c.json({ window: w, topics });
    });
  }
  for (const path of ['/suggestions', '/suggestions.csv']) {
    app.get(path, validate('query', windowQuerySchema), async (c) => {
      const q = c.req.valid('query');
      const w = windowOf(services, q);
      const suggestions = await services.topics.suggestions(w, q.limit ?? 20);
      if (wantsCsv(c, q)) return csvResponse(c, suggestionsCsv(suggestions), `interpretation-suggestions-${w.from}-${w.to}`);
      return c.json({ window: w, suggestions });
    });
  }
  app.get('/:id', validate('query', windowQuerySchema), async (c) => {
    const m = /^(t[0-9a-f]{12})(\.csv)?$/.exec(c.req.param('id'));
    if (!m) throw notFound('话题不存在');
    const q = c.req.valid('query');
    const w = windowOf(services, q);
    const topic = await services.topics.topic(m[1]!, w);
    if (!topic) throw notFound('话题不存在');
    if (q.format === 'csv' || m[2]) return csvResponse(c, detailCsv(topic), `topic-${topic.id}-${w.from}-${w.to}`);
    return c.json({ window: w, topic });
  });
  return app;
}

export const feedbackSchema = z
  .object({
    sessionId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '会话编号格式不正确'),
    turn: z.number().int().min(1).max(100_000).optional(),
    logId: z.string().regex(/^[0-9a-f]{16}$/, 'logId 格式不正确').optional(),
    useful: z.boolean({ error: 'useful 必须是 true 或 false' }),
  })
  .strict();

/** `POST /api/feedback`: 👍/👎 on an answer in the web chat. */
export function feedbackRoutes(services: Services) {
  return new Hono().post('/', validate('json', feedbackSchema), async (c) => {
    const body = c.req.valid('json');
    try {
      const r = await services.topics.feedback(body);
      return c.json({ ok: true, logId: r.logId, changed: r.changed });
    } catch (err) {
      if (err instanceof FeedbackTargetMissing) throw notFound('没有找到要评价的回答');
      throw err;
    }
  });
}
