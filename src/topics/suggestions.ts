import type { TopicSummary } from './report.js';

/** A topic an office should consider writing a 解读 (or 跟踪解读) for, with the reasons in plain words. */
export interface InterpretationSuggestion {
  topicId: string;
  label: string;
  keywords: string[];
  /** Higher first. */
  score: number;
  /** One sentence for the office: what to do about which topic. */
  summary: string;
  /** Why it is suggested, each reason a plain sentence. */
  reasons: string[];
  askers: number;
  messages: number;
  growth: number | null;
  rising: boolean;
  answeredShare: number | null;
  downShare: number | null;
  sampleQuestions: string[];
  /** Documents the service currently answers this topic with (none: a knowledge gap). */
  matchedDocuments: Array<{ id: string; title?: string; count: number }>;
  department?: { id: string; name?: string };
}

export interface SuggestionOptions {
  windowDays: number;
  /** Minimum askers for a topic to be worth a 解读. */
  minAskers?: number;
  departmentName?: (id: string) => string | undefined;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Pick topics with enough people asking AND a sign the published material is not serving them
 * (few direct answers, many 👎, no matching document) or a sudden rise; explain each.
 */
export function suggestInterpretations(topics: TopicSummary[], opts: SuggestionOptions): InterpretationSuggestion[] {
  const minAskers = opts.minAskers ?? 3;
  const out: InterpretationSuggestion[] = [];
  for (const t of topics) {
    if (t.askers < minAskers) continue;
    const lowAnswer = t.answeredShare !== null && t.answeredShare < 0.5;
    const manyDown = t.downShare !== null && t.feedback.down >= 2 && t.downShare >= 0.3;
    if (!(lowAnswer || manyDown || t.knowledgeGap || t.rising)) continue;
    const reasons: string[] = [];
    const who = t.likes > 0 ? `${t.askers}人关注（${t.messages}条提问或留言，另有${t.likes}人点赞附议）` : `${t.askers}人问过（共${t.messages}条提问）`;
    reasons.push(`近${opts.windowDays}天有${who}，在同期话题中关注度高。`);
    if (t.rising) {
      reasons.push(
        t.previous > 0
          ? `比之前${opts.windowDays}天（${t.previous}人次）增加了${pct(t.growth ?? 0)}，属于突然升温的话题。`
          : `之前${opts.windowDays}天几乎没人问，这段时间突然出现，属于新冒出的话题。`,
      );
    }
    if (t.answeredShare !== null) {
      if (lowAnswer) reasons.push(`只有${pct(t.answeredShare)}的提问能直接用现有政策文件答复，其余需要追问、转人工或没能回答。`);
    } else {
      reasons.push('这些留言来自导入的历史数据，系统没有自动答复记录。');
    }
    if (manyDown) reasons.push(`群众对答复点了${t.feedback.down}次“没用”（占评价的${pct(t.downShare!)}），现有答复没有解决他们的疑问。`);
    if (t.knowledgeGap) reasons.push('知识库里没有找到与这些问题对应的政策文件或解读——这是知识空白。');
    else reasons.push(`目前用来答复的文件：${t.documents.map((d) => `《${d.title ?? d.id}》`).join('、')}。`);
    const dept = t.departments[0];
    const deptName = dept ? opts.departmentName?.(dept.id) : undefined;
    const growthFactor = t.rising ? 1.5 : 1;
    const need = (t.unansweredShare ?? 0.5) + (t.downShare ?? 0) + (t.knowledgeGap ? 0.5 : 0);
    const score = Math.round(t.askers * growthFactor * need * 100) / 100;
    const kind = t.knowledgeGap ? '政策解读' : '跟踪解读或二次解读';
    out.push({
      topicId: t.id,
      label: t.label,
      keywords: t.keywords,
      score,
      summary: `建议${deptName ?? (dept ? dept.id : '相关责任部门')}围绕“${t.label}”撰写${kind}，并主动公开。`,
      reasons,
      askers: t.askers,
      messages: t.messages,
      growth: t.growth,
      rising: t.rising,
      answeredShare: t.answeredShare,
      downShare: t.downShare,
      sampleQuestions: t.samples.map((s) => s.q).slice(0, 5),
      matchedDocuments: t.documents,
      ...(dept ? { department: { id: dept.id, ...(deptName ? { name: deptName } : {}) } } : {}),
    });
  }
  return out.sort((a, b) => b.score - a.score);
}
