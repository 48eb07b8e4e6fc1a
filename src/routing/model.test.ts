import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDepartments } from '../knowledge/departments.js';
import { parseCategoryMap, parseHistory, toHistoryExamples } from './history.js';
import { createRouter, trainRoutingModel } from './model.js';

const file = join(import.meta.dirname, '..', '..', 'knowledge', 'departments.yaml');
const directory = parseDepartments(readFileSync(file, 'utf8'), file);

describe('router from the directory alone', () => {
  const router = createRouter({ directory });
  it.each([
    ['我想申请低保', 'civil'],
    ['居民医保一年交多少钱', 'medins'],
    ['开发商迟迟不交房', 'housing'],
    ['老板拖欠工资三个月', 'hrss'],
    ['河里有人偷排污水，黑臭得很', 'env'],
    ['超市卖过期食品', 'market'],
    ['孩子上小学怎么划学区', 'edu'],
    ['想申请法律援助', 'justice'],
    ['种粮补贴什么时候发', 'agri'],
    ['公交车太少了', 'transport'],
  ])('%s -> %s', (text, dept) => {
    expect(router.route(text).department).toBe(dept);
  });

  it('returns up to three candidates, best first, with the confidence of the first', () => {
    const r = router.route('小区物业乱收费');
    expect(r.candidates.length).toBe(3);
    expect(r.candidates[0]!.department).toBe(r.department);
    expect(r.candidates[0]!.score).toBeCloseTo(r.confidence, 3);
    expect(r.candidates[0]!.score).toBeGreaterThanOrEqual(r.candidates[1]!.score);
  });
});

describe('learning from history', () => {
  // A made-up department-level convention the directory alone does not know.
  const history = Array.from({ length: 30 }, (_, i) => ({ text: `${i}号楼门口的路灯坏了，晚上一片黑`, departments: ['transport'] }));

  it('moves a message to the department history sent such messages to', () => {
    expect(createRouter({ directory }).route('楼前的灯坏了').department).not.toBe('transport');
    const model = trainRoutingModel({ directory, history, now: new Date('2026-01-01T00:00:00Z') });
    expect(model).toMatchObject({ version: 1, historyCount: 30, trainedAt: '2026-01-01T00:00:00.000Z' });
    expect(createRouter({ directory, model }).route('楼前的灯坏了').department).toBe('transport');
  });

  it('is deterministic', () => {
    const a = trainRoutingModel({ directory, history, now: new Date(0) });
    const b = trainRoutingModel({ directory, history, now: new Date(0) });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('learns a word expert from history and still loads a model saved without one', () => {
    const model = trainRoutingModel({ directory, history });
    expect(trainRoutingModel({ directory }).words).toBeUndefined();
    expect(model.words!.model.features.some((f) => f.startsWith('p:'))).toBe(true);
    const { words: _words, wordsNbsvm: _nbsvm, ...older } = model;
    expect(createRouter({ directory, model: older }).route('楼前的灯坏了').department).toBe('transport');
  });

  it('learns an NBSVM word expert and raw-count experts; a model saved before them still loads', () => {
    const model = trainRoutingModel({ directory, history });
    expect(model.tf).toBe('raw');
    expect(model.words!.tf).toBe('raw');
    expect(model.wordsNbsvm!.labels).toEqual(model.model.labels);
    expect(model.wordsNbsvm!.features).toContain('p:路灯_坏');
    expect(trainRoutingModel({ directory }).tf).toBeUndefined();
    // The previous round's shape: sublinear tf (no marker), no NBSVM expert.
    const { wordsNbsvm: _nbsvm, tf: _tf, words, ...rest } = model;
    const { tf: _wordsTf, ...oldWords } = words!;
    const router = createRouter({ directory, model: { ...rest, words: oldWords } });
    expect(router.route('楼前的灯坏了').department).toBe('transport');
    expect(router.route('我想申请低保').department).toBe('civil');
  });

  it('routes long letters by the learned experts alone, short messages with the directory too', () => {
    // History that contradicts the directory: 工资 messages handled by transport.
    const odd = Array.from({ length: 10 }, (_, i) => ({ text: `${i}号车队老板拖欠工资`, departments: ['transport'] }));
    const router = createRouter({ directory, model: trainRoutingModel({ directory, history: odd }) });
    expect(router.route('拖欠工资').department).toBe('hrss');
    const long = router.route(`车队老板拖欠工资，${'我们几个司机找了很多次都没有结果，'.repeat(3)}`);
    expect(long.department).toBe('transport');
    // With the directory model in the product too, this is ≈ 0.66.
    expect(long.confidence).toBeGreaterThan(0.85);
  });

  it('never routes to a department the directory no longer lists', () => {
    const model = trainRoutingModel({ directory, history });
    const smaller = parseDepartments(readFileSync(file, 'utf8').replace(/  - id: transport[\s\S]*$/, ''), file);
    expect(smaller.get('transport')).toBeUndefined();
    expect(createRouter({ directory: smaller, model }).route('楼前的灯坏了').department).not.toBe('transport');
  });
});

describe('history files', () => {
  const map = parseCategoryMap({ 劳动和社会保障: ['hrss'], 商贸旅游: ['market', 'industry'] }, directory);

  it('maps categories, keeps department ids, and reports lines it cannot place', () => {
    const text = [
      '{"text":"工资被拖欠","category":"劳动和社会保障"}',
      '{"text":"商场乱收费","title":"投诉商场","category":"商贸旅游"}',
      '{"text":"污水横流","department":"env"}',
      '{"text":"什么类别","category":"外星事务"}',
      '{"text":"没有标签"}',
      'not json',
      '',
      '{"text":"错的部门","department":"nasa"}',
    ].join('\n');
    const { messages, skipped } = parseHistory(text, directory, map, 'h.jsonl');
    expect(messages).toEqual([
      { text: '工资被拖欠', gold: '劳动和社会保障', departments: ['hrss'] },
      { text: '投诉商场\n商场乱收费', gold: '商贸旅游', departments: ['market', 'industry'] },
      { text: '污水横流', gold: 'env', departments: ['env'] },
    ]);
    expect(skipped).toEqual([
      'h.jsonl:4: category not in the map and not a department id: "外星事务"',
      'h.jsonl:5: (line): needs "category" or "department"',
      'h.jsonl:6: not valid JSON',
      'h.jsonl:8: unknown department: "nasa"',
    ]);
    expect(toHistoryExamples(messages)[1]).toEqual({ text: '投诉商场\n商场乱收费', departments: ['market', 'industry'] });
  });

  it('rejects a map that names a department the directory lacks', () => {
    expect(() => parseCategoryMap({ 城乡建设: ['nasa'] }, directory, 'map.json')).toThrow('map.json: "城乡建设" maps to unknown department nasa');
    expect(() => parseCategoryMap({ 城乡建设: [] }, directory, 'map.json')).toThrow(/^map\.json: 城乡建设: /);
  });

  it('ships the district category map, valid against the directory', () => {
    const shipped = join(import.meta.dirname, '..', '..', 'knowledge', 'category-map.json');
    const m = parseCategoryMap(JSON.parse(readFileSync(shipped, 'utf8')), directory, shipped);
    expect(m['城乡建设']).toEqual(['housing']);
  });
});
