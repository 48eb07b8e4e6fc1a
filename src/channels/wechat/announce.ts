import type { Room, Wechaty } from 'wechaty';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { sendText } from './send.js';

/** A case event a department should see in its WeChat group. No citizen contact details. */
export const caseAnnouncementSchema = z.object({
  event: z.enum(['new', 'urge']),
  /** For `urge`: 催办 (near the deadline) or 督办 (past it). */
  level: z.enum(['催办', '督办']).optional(),
  caseNumber: z.string().min(1).max(64),
  departmentId: z.string().min(1),
  /** 咨询/求助/投诉/举报/建议 or the engine's type id. */
  type: z.string().max(20).optional(),
  summary: z.string().min(1).max(500),
  /** Due date as shown to people, e.g. "2021-11-12". */
  deadline: z.string().max(40).optional(),
  /** Link to the case in the department inbox. */
  url: z.url().optional(),
});
export type CaseAnnouncement = z.infer<typeof caseAnnouncementSchema>;

export type AnnounceOutcome = 'sent' | 'no_room_configured' | 'room_not_found' | 'unknown_department';

const TYPE_NAMES: Record<string, string> = { consult: '咨询', help: '求助', complain: '投诉', report: '举报', suggest: '建议' };

/**
 * The summary comes from a citizen: defuse "@" so it can never become an @-mention
 * (e.g. "@所有人") when posted into a department group.
 */
const defuseMentions = (text: string) => text.replace(/[@＠]/g, '（at）');

export function formatAnnouncement(a: CaseAnnouncement, departmentName: string): string {
  const type = a.type ? `（${TYPE_NAMES[a.type] ?? a.type}）` : '';
  const summary = defuseMentions(a.summary);
  const lines =
    a.event === 'new'
      ? [`【新工单】${a.caseNumber}${type}`, `承办单位：${departmentName}`, `摘要：${summary}`]
      : [`【${a.level ?? '催办'}】${a.caseNumber}${type}`, `承办单位：${departmentName}`, `摘要：${summary}`];
  if (a.deadline) lines.push(`办理时限：${a.deadline}`);
  lines.push(
    a.event === 'new' ? '请及时签收并在时限内办理答复。' : a.level === '督办' ? '该工单已超过办理时限，请立即办理答复。' : '该工单临近办理时限，请尽快办理答复。',
  );
  if (a.url) lines.push(a.url);
  return lines.join('\n');
}

/**
 * Announce new/urged cases in a department's WeChat group (`wechat_room` in
 * knowledge/departments.yaml: a room id ending in `@chatroom`, or the exact group topic).
 * @example
 * const announce = createCaseAnnouncer(bot, services);
 * await announce({ event: 'new', caseNumber: '20211105-0012', departmentId: 'hrss', summary: '拖欠工资', deadline: '2021-11-12' });
 */
export function createCaseAnnouncer(bot: Wechaty, services: Services, opts: { maxChars: number }) {
  return async function announce(input: CaseAnnouncement): Promise<AnnounceOutcome> {
    const a = caseAnnouncementSchema.parse(input);
    const dept = services.directory.get(a.departmentId);
    if (!dept) return 'unknown_department';
    if (!dept.wechat_room) return 'no_room_configured';
    const target = dept.wechat_room;
    const room: Room | undefined = target.endsWith('@chatroom')
      ? await bot.Room.find({ id: target })
      : await bot.Room.find({ topic: target });
    if (!room) {
      services.logger.warn('wechat: department group not found', { departmentId: dept.id, room: target });
      return 'room_not_found';
    }
    await sendText(room, formatAnnouncement(a, dept.short), opts.maxChars);
    services.logger.info('wechat: case announced', { departmentId: dept.id, caseNumber: a.caseNumber, event: a.event });
    return 'sent';
  };
}
