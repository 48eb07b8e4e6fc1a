import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatIdentity } from '../../src/channels/wechat/identity.js';
import { fixedClock } from '../../src/clock.js';
import { startCaseNotifierFor } from '../../src/cases/wiring.js';
import type { CaseNotifier } from '../../src/cases/notifier.js';
import type { Services } from '../../src/services.js';
import { testServices, type TestServices } from '../helpers/services.js';
import { startMockBot, type Inbox, type MockBot } from './wechat-harness.js';

let s: TestServices;
let services: Services;
let m: MockBot;
let notifier: CaseNotifier;
const clock = fixedClock('2021-11-05T09:00:00+08:00');
const DEPT_ROOM = '区市场监管局工单群';

beforeAll(async () => {
  s = await testServices({ clock });
  // The shipped directory configures no WeChat groups; give one department a group here.
  services = {
    ...s,
    directory: {
      ...s.directory,
      get: (id) => {
        const d = s.directory.get(id);
        return d && id === 'market' ? { ...d, wechat_room: DEPT_ROOM } : d;
      },
    },
  };
  m = await startMockBot(services, { caseAnnouncements: { pollMs: 50 } });
  notifier = startCaseNotifierFor(s, { blockMs: 100 });
});
afterAll(async () => {
  await notifier?.stop();
  await m?.stop();
  await s?.cleanup();
});

/** Answer the engine's questions until it reports a case number (slot filling, confirmation). */
async function fileComplaint(say: (t: string) => void, inbox: Inbox, first: string): Promise<string> {
  say(first);
  for (let turn = 0; turn < 8; turn++) {
    const texts = await inbox.waitFor(turn + 1);
    const last = texts[texts.length - 1]!;
    const number = last.match(/\d{8}-\d{4}/)?.[0];
    if (number) return number;
    const options = [...last.matchAll(/^(\d+)\. (.+)$/gm)].map((x) => ({ n: x[1]!, label: x[2]! }));
    const pick = options.find((o) => /登记|工单|确认|提交/.test(o.label));
    const reply = pick ? pick.label
      : /确认|是否|对吗/.test(last) ? '确认'
      : /地点|地址|地方|哪里|位置/.test(last) ? '牡丹区万福街道幸福小区'
      : /时间|什么时候|何时/.test(last) ? '这个月一直都是'
      : /联系|电话|手机/.test(last) ? '跳过'
      : '物业公司每月多收20元电梯费，没有任何依据';
    say(reply);
  }
  throw new Error(`no case number after 8 turns: ${JSON.stringify(inbox.texts)}`);
}

describe('a complaint in a WeChat group becomes a case, and the department reply comes back', () => {
  it('creates the case from the group, announces it to the department group, and delivers the reply privately', async () => {
    const citizen = m.contact('业主老王');
    const neighbour = m.contact('邻居');
    const room = m.room('幸福小区业主群', [citizen, neighbour]);
    const staff = m.contact('市场监管局值班员');
    const deptRoom = m.room(DEPT_ROOM, [staff]);
    const roomInbox = m.inbox(room);
    const deptInbox = m.inbox(deptRoom);
    const privateInbox = m.inbox(citizen);

    const number = await fileComplaint(
      (t) => citizen.say(`@一号答 ${t}`, [m.self]).to(room),
      roomInbox,
      '我要投诉小区物业乱收费，每月多收电梯费',
    );
    expect(roomInbox.texts.every((t) => /^@业主老王[\u2005 ]/.test(t))).toBe(true);
    // Asked for a phone number in a group, the citizen is warned that everyone can read it.
    const askPhone = roomInbox.texts.find((t) => /联系电话|联系方式/.test(t) && !/确认/.test(t));
    expect(askPhone).toContain('请不要在群里发手机号');

    const c = await s.cases.get(number);
    expect(c).toBeDefined();
    expect(c!.type).toBe('complain');
    expect(c!.channel).toBe('wechat');
    expect(c!.citizenRef).toBe(await createWechatIdentity(s.config.WECHAT_REF_SECRET).citizenRef(citizen.id));
    expect(JSON.stringify(c!.excerpt)).toContain('幸福小区');

    const agent = { kind: 'agent' as const, id: 'agent-1' };
    await s.cases.dispatch(number, { department: 'market' }, agent);
    const [announcement] = await deptInbox.waitFor(1);
    const label = { consult: '咨询', help: '求助', complain: '投诉', report: '举报', suggest: '建议' }[c!.type];
    expect(announcement).toContain(`【新工单】${number}（${label}）`);
    expect(announcement).toContain('承办单位：区市场监管局');

    // Past the deadline the agent's urge is a 督办, announced to the same group.
    clock.advance(30 * 24 * 3600_000);
    await s.cases.urge(number, { note: '请尽快处理' }, agent);
    const [, urged] = await deptInbox.waitFor(2);
    expect(urged).toMatch(new RegExp(`^【督办】${number}`));
    expect(urged).toContain('已超过办理时限');

    const dept = { kind: 'dept' as const, id: 'market-staff', departmentId: 'market' };
    await s.cases.accept(number, {}, dept);
    await s.cases.reply(number, { text: '经核查，物业已停止收取该项费用并退还多收款项。' }, dept);
    const [reply] = await privateInbox.waitFor(1);
    expect(reply).toContain(`【办理答复】工单编号：${number}`);
    expect(reply).toContain('经核查，物业已停止收取该项费用并退还多收款项。');
    // Exactly once, and only to this citizen: not into the residents' group.
    await m.settle();
    await new Promise((r) => setTimeout(r, 300));
    expect(privateInbox.texts).toHaveLength(1);
    expect(roomInbox.texts.some((t) => t.includes('经核查'))).toBe(false);
  });
});
