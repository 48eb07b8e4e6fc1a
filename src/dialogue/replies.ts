import type { RetrievalHit } from '../retrieval/types.js';
import type { CaseDraft, CaseType, Intent } from './types.js';

/** Chinese wording of every canned reply, in one place so the office can review it. */
export const TEXT = {
  greet: '您好！我是牡丹区政策咨询助手“一号答”。您可以直接问政策问题（如“怎么申请政府信息公开？”），也可以反映诉求、投诉、举报或提建议，我会帮您登记工单转给责任部门。',
  thanks: '不客气！还有其他问题随时问我。如需人工服务，可拨打12345政务服务便民热线。',
  bye: '感谢您的咨询，再见！有需要随时再来。',
  other: '这个问题我可能帮不上忙。我能做的是：解答牡丹区的政策问题并注明出处；登记您的求助、投诉、举报或建议并转给责任部门；查询工单办理进度。',
  capabilities: '我可以：① 解答政策问题并注明政策出处；② 登记求助、投诉、举报、建议，转给责任部门办理；③ 凭工单编号查询办理进度。',
  noAnswer: '抱歉，我在现有的政策文件和解读中没有找到能准确回答这个问题的内容，不想给您不准确的答复。',
  rephrase: '您可以换个说法，或说得更具体些（例如涉及的事项、政策名称、办理地点），我再帮您查一查。',
  offer: '这个问题我暂时答不上来。您可以：\n1. 留言登记工单，由责任部门在规定时限内答复您；\n2. 拨打12345政务服务便民热线咨询人工客服。',
  offerOptions: ['留言登记工单', '拨打12345热线'],
  hotline: '您可以拨打12345政务服务便民热线，工作人员会为您解答。',
  unavailable: '抱歉，政策检索服务暂时出现故障，无法为您查询。您可以留言登记工单，工作人员会在规定时限内答复您；也可以稍后再试或拨打12345政务服务便民热线。',
  clarify: '您问的可能是以下哪一项？请回复序号：',
  suggest: '这个问题我没有把握准确回答。您想问的是不是下面这些政策里的内容？请回复序号查看，都不是请回复“都不是”：',
  noneOption: '都不是',
  cancelled: '好的，已取消登记。还有其他问题随时问我。',
  askCaseNumber: '请告诉我工单编号（例如 20211105-0012），我帮您查询办理进度。',
  caseNotFound: (n: string) => `没有查到编号为 ${n} 的工单，或者该工单不是在本会话中提交的。请核对编号；如需帮助可拨打12345政务服务便民热线。`,
  caseFailed: '抱歉，工单暂时没能提交成功，您填写的内容我还保留着。请稍后回复“确认”再试一次，或拨打12345政务服务便民热线。',
  humanIntro: '好的，为您转人工服务。在线人工坐席需要工作人员跟进，我先帮您登记一张工单，工作人员会尽快联系或答复您。也可以直接拨打12345政务服务便民热线。',
} as const;

export const TYPE_LABEL: Record<CaseType, string> = {
  consult: '咨询',
  help: '求助',
  complain: '投诉',
  report: '举报',
  suggest: '建议',
};

export const SLOT_QUESTION: Record<'what' | 'where' | 'when' | 'contact', (type: CaseType) => string> = {
  what: (t) =>
    t === 'suggest' ? '请说说您的建议内容。' : t === 'consult' ? '请说说您想咨询的问题。' : `请简要描述一下您要${TYPE_LABEL[t]}的事情。`,
  where: () => '这件事发生在什么地方？（例如：哪个镇街、小区或路段）',
  when: () => '大概是什么时间发生的？（例如：昨天下午、11月3日起）',
  contact: () => '方便留个联系电话吗？工作人员可能需要和您核实情况（联系方式会加密保存）。不方便的话请回复“跳过”。',
};

export function intro(type: CaseType): string {
  return `好的，我来帮您登记${TYPE_LABEL[type]}，转给责任部门办理。`;
}

export function confirmText(draft: CaseDraft, departmentName?: string): string {
  const lines = [
    `请确认以下${TYPE_LABEL[draft.type]}内容：`,
    `事项：${draft.details.what ?? draft.summary}`,
    ...(draft.details.where ? [`地点：${draft.details.where}`] : []),
    ...(draft.details.when ? [`时间：${draft.details.when}`] : []),
    `联系方式：${draft.contact ? '已提供（加密保存）' : '未提供'}`,
    `承办部门：${departmentName ?? '由12345热线分派'}`,
    '确认提交请回复“确认”，修改请回复“取消”后重新描述。',
  ];
  return lines.join('\n');
}

export function citeLine(hit: RetrievalHit): string {
  const p = hit.passage;
  return `《${p.title}》${p.docNo ? `（${p.docNo}）` : ''}${p.section ? p.section : ''}`;
}

const SHORT_PASSAGE = 320;

/** "According to <source>: <answer>". */
export function answerText(hit: RetrievalHit): string {
  const p = hit.passage;
  // A short passage reads better whole; a long one is cut to the sentences that answer.
  // Issuer and date travel in the citation, which every channel shows under the answer.
  const body = p.text.length <= SHORT_PASSAGE ? p.text : hit.answer;
  return `根据${citeLine(hit)}：\n${body.trim()}${repostNote(hit)}`;
}

/** "The same text is also in 《…》": a notice reposted by other sites is named, not repeated. */
export function repostNote(hit: RetrievalHit): string {
  const also = hit.alsoIn ?? [];
  if (also.length === 0) return '';
  const first = `《${also[0]!.title}》${also[0]!.docNo ? `（${also[0]!.docNo}）` : ''}`;
  return `\n（同一内容另见${first}${also.length > 1 ? `等${also.length}份文件` : ''}）`;
}

export function smalltalk(intent: Intent): string {
  if (intent === 'greet') return TEXT.greet;
  if (intent === 'thanks') return TEXT.thanks;
  if (intent === 'bye') return TEXT.bye;
  return TEXT.other;
}
