import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { sha256Hex } from '../../src/auth/bearer.js';
import { fixedClock } from '../../src/clock.js';
import type { TurnLogInput } from '../../src/topics/types.js';
import { testServices, type TestServices } from '../helpers/services.js';

const token = 'topics-api-agent-token-0123456789';
const deptToken = 'topics-api-dept-token-0123456789';
let s: TestServices;
let app: ReturnType<typeof createApp>;

/** Local time on a November 2021 day. */
const at = (day: number, hour = 10) => `2021-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;
let seq = 0;
const msg = (message: string, day: number, extra: Partial<TurnLogInput> = {}): TurnLogInput => ({
  sessionId: `api-session-${seq++}`,
  turn: 1,
  channel: 'web',
  citizenRef: `web:asker-${seq}`,
  message,
  at: at(day),
  action: 'fallback_rephrase',
  ...extra,
});

const ELEVATOR = ['老旧小区加装电梯有没有补贴', '我们小区想加装电梯，补贴怎么申请', '加装电梯的补贴标准是多少', '老楼加装电梯需要全体业主同意吗', '加装电梯补贴申请要什么材料'];
/** Everyday questions on other matters: the history a live service has, so word weights are realistic. */
const BACKGROUND = [
  '灵活就业人员养老保险怎么交', '失业保险金领取条件', '医保异地就医备案流程', '新生儿户口登记要带什么', '不动产权证书办理时限',
  '住房公积金提取还房贷', '低保申请需要哪些材料', '高龄津贴每月多少钱', '残疾人两项补贴标准', '小学新生入学报名时间',
  '初中学区划分在哪里看', '城乡居民医保缴费截止时间', '营业执照网上怎么办', '个体户注销流程', '食品经营许可证办理条件',
  '电动车上牌去哪里', '驾驶证换证需要体检吗', '公交卡老年卡怎么办', '居住证办理需要多久', '身份证丢了补办流程',
  '退役军人优待证申领', '独生子女父母奖励金', '农村宅基地审批流程', '耕地地力保护补贴发放时间', '农机购置补贴怎么申请',
  '创业担保贷款申请条件', '职业技能培训补贴', '人才公寓申请条件', '企业开办一网通办', '政府信息公开申请方式',
  '建筑工地夜间施工噪音扰民', '饭店油烟扰民投诉', '路灯不亮找谁修', '下水道堵塞反映', '小区垃圾清运不及时',
  '广场舞噪音太大', '物业费收费标准', '违章建筑举报', '拖欠农民工工资投诉', '网购商品质量投诉',
];
const HEATING = ['冬季集中供暖什么时候开始', '供暖费怎么缴纳', '暖气不热找哪个部门', '集中供暖温度不达标怎么投诉'];

beforeAll(async () => {
  const clock = fixedClock('2021-11-14T20:00:00+08:00');
  s = await testServices({ clock, config: { AGENT_TOKENS: `ops:${await sha256Hex(token)}`, DEPT_TOKENS: `housing:${await sha256Hex(deptToken)}` } });
  app = createApp(s);
  const inputs: TurnLogInput[] = BACKGROUND.map((q, i) => msg(q, 1 + (i % 14), { action: 'answer' }));
  // Heating: steady, asked the week before and this week, answered with a document.
  for (const [i, q] of HEATING.entries()) {
    const answered = { action: 'answer' as const, department: 'housing', replies: [{ text: '答复', citations: [{ id: 'heating-guide', title: '供暖服务指南' }] }] };
    inputs.push(msg(q, 1 + i, answered), msg(q, 8 + i, answered));
  }
  // Elevators: nobody asked last week, many this week, no document answers it, with 👎 later.
  for (const [i, q] of ELEVATOR.entries()) inputs.push(msg(q, 9 + (i % 5), { department: 'housing' }), msg(`${q}？`, 10 + (i % 4), { department: 'housing' }));
  await s.topics.recordMany(inputs);
});
afterAll(() => s.cleanup());

const get = (path: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) => app.request(path, { headers });
const WEEK = 'from=2021-11-08&to=2021-11-14';

describe('topics API', () => {
  it('groups similar questions and keeps different matters apart', async () => {
    const body = await (await get(`/api/topics/hot?${WEEK}`)).json();
    const elevator = body.topics.filter((t: { samples: Array<{ q: string }> }) => t.samples.some((x) => x.q.includes('电梯')));
    const heating = body.topics.filter((t: { samples: Array<{ q: string }> }) => t.samples.some((x) => x.q.includes('暖')));
    expect(elevator).toHaveLength(1);
    expect(elevator[0].messages).toBe(10);
    expect(elevator[0].samples.every((x: { q: string }) => x.q.includes('电梯'))).toBe(true);
    expect(elevator[0].keywords.join('')).toContain('电梯');
    expect(heating.length).toBeGreaterThanOrEqual(1);
    expect(heating.every((t: { samples: Array<{ q: string }> }) => t.samples.every((x) => !x.q.includes('电梯')))).toBe(true);
  });

  it('reports volume, askers, growth, outcomes, departments and documents per window', async () => {
    const body = await (await get(`/api/topics/hot?${WEEK}&limit=5`)).json();
    expect(body.window).toEqual({ from: '2021-11-08', to: '2021-11-14' });
    const [top] = body.topics;
    expect(top.label).toContain('电梯');
    expect(top).toMatchObject({ messages: 10, askers: 10, previous: 0, growth: null, rising: true, answeredShare: 0, knowledgeGap: true });
    expect(top.departments).toEqual([{ id: 'housing', count: 10 }]);
    const heating = body.topics.find((t: { documents: Array<{ id: string }> }) => t.documents.some((d) => d.id === 'heating-guide'));
    expect(heating.documents[0]).toMatchObject({ id: 'heating-guide', title: '供暖服务指南' });
    expect(heating.answeredShare).toBe(1);
    expect(heating.knowledgeGap).toBe(false);
    expect(heating.previous).toBeGreaterThan(0);
  });

  it('serves one topic with its daily series, also as CSV', async () => {
    const hot = await (await get(`/api/topics/hot?${WEEK}&limit=1`)).json();
    const id = hot.topics[0].id;
    const detail = await (await get(`/api/topics/${id}?${WEEK}`)).json();
    expect(detail.topic.id).toBe(id);
    expect(detail.topic.daily.reduce((a: number, d: { messages: number }) => a + d.messages, 0)).toBe(10);
    const csv = await get(`/api/topics/${id}.csv?${WEEK}`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await csv.arrayBuffer());
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.split('\r\n')[0]).toBe('\uFEFF话题编号,代表性提问,日期,提问数,关注量（提问+附议）');
    expect((await get(`/api/topics/t0123456789ab?${WEEK}`)).status).toBe(404);
  });

  it('suggests a 解读 with reasons an office worker can read', async () => {
    const body = await (await get(`/api/topics/suggestions?${WEEK}`)).json();
    const [first] = body.suggestions;
    expect(first.label).toContain('电梯');
    expect(first.summary).toMatch(/^建议区住房和城乡建设局|^建议.*围绕“.*电梯.*”撰写政策解读/);
    expect(first.department.id).toBe('housing');
    const reasons = first.reasons.join('\n');
    expect(reasons).toMatch(/近7天有10人问过/);
    expect(reasons).toMatch(/新冒出的话题/);
    expect(reasons).toMatch(/只有0%的提问能直接用现有政策文件答复/);
    expect(reasons).toMatch(/知识空白/);
    expect(first.sampleQuestions.length).toBeGreaterThan(0);
    expect(first.matchedDocuments).toEqual([]);
    // The well-answered steady heating topic is not suggested.
    expect(body.suggestions.some((x: { label: string }) => x.label.includes('暖'))).toBe(false);
  });

  it('exports hot topics and suggestions as Excel-readable CSV', async () => {
    for (const path of [`/api/topics/hot.csv?${WEEK}`, `/api/topics/hot?${WEEK}&format=csv`, `/api/topics/suggestions.csv?${WEEK}`]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
      expect(text.startsWith('\uFEFF话题编号,代表性提问,')).toBe(true);
      expect(text).toContain('电梯');
    }
  });

  it('requires an agent or admin token and validates the window', async () => {
    expect((await get('/api/topics/hot', {})).status).toBe(401);
    expect((await get('/api/topics/hot', { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    expect((await get('/api/topics/hot', { authorization: `Bearer ${deptToken}` })).status).toBe(403);
    for (const q of ['from=2021-11-10&to=2021-11-01', 'from=2020-01-01&to=2021-11-01', 'from=2021-13-01', 'limit=0', 'limit=abc', 'format=xml']) {
      const res = await get(`/api/topics/hot?${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error.code).toBe('bad_request');
    }
  });
});
