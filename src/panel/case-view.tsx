import type { UserSession } from '../auth/session.js';
import {
  CASE_STATUSES, SATISFACTION_LABELS, STATUS_LABELS, type AuditEntry, type CaseView, type Satisfaction,
} from '../cases/types.js';
import type { Services } from '../services.js';
import { Csrf } from './layout.js';

const TIME_FMT = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

/** ISO instant as China time `2021/11/05 09:00`. */
export function chinaTime(iso: string | undefined): string {
  return iso ? TIME_FMT.format(new Date(iso)) : '';
}

/** Deadline state for the colour code: overdue, due soon, on time, or no longer running. */
export function dueState(v: Pick<CaseView, 'overdue' | 'nearDue' | 'status'>): 'over' | 'soon' | 'ok' | 'done' {
  if (v.status === 'replied' || v.status === 'closed') return 'done';
  return v.overdue ? 'over' : v.nearDue ? 'soon' : 'ok';
}

const DUE_LABELS = { over: '已超期', soon: '即将到期', ok: '时限内', done: '已答复' } as const;

export function DueBadge(props: { v: CaseView }) {
  const s = dueState(props.v);
  return (
    <span class={`due ${s}`} title={`办理期限 ${chinaTime(props.v.deadline)}`}>
      {DUE_LABELS[s]} · {chinaTime(props.v.deadline).slice(5, 10)}
    </span>
  );
}

/** The case list as a table; `hrefOf` gives each row's detail link. */
export function CaseTable(props: { items: CaseView[]; hrefOf: (n: string) => string; showDept: boolean }) {
  if (!props.items.length) return <p class="muted card">没有符合条件的工单。</p>;
  return (
    <table class="grid" id="case-table">
      <thead>
        <tr>
          <th>工单编号</th>
          <th>类型</th>
          <th>诉求摘要</th>
          {props.showDept && <th>承办部门</th>}
          <th>状态</th>
          <th>办理时限</th>
          <th>登记时间</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((v) => (
          <tr data-case={v.number}>
            <td>
              <a href={props.hrefOf(v.number)}>{v.number}</a>
            </td>
            <td>{v.typeLabel}</td>
            <td>{v.summary}</td>
            {props.showDept && <td>{v.departmentName ?? '—'}</td>}
            <td>
              {v.statusLabel}
              {v.pendingExtension && <span class="tag warn">延期待批</span>}
            </td>
            <td>
              <DueBadge v={v} />
            </td>
            <td>{chinaTime(v.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const ACTION_LABELS: Record<AuditEntry['action'], string> = {
  create: '登记', dispatch: '派单', accept: '签收', return: '退单', reply: '答复', request_extension: '申请延期',
  decide_extension: '审批延期', urge: '催办', close: '办结', feedback: '回访', reopen: '重办', view_contact: '查看联系方式',
};
const ACTOR_LABELS = { citizen: '市民', agent: '话务员', dept: '部门', admin: '管理员', system: '系统' } as const;

export function AuditTrail(props: { audit: AuditEntry[]; services: Services }) {
  return (
    <ol class="trail" id="audit">
      {props.audit.map((e) => (
        <li>
          <div>
            <b>{ACTION_LABELS[e.action] ?? e.action}</b>
            {e.to && e.from !== e.to && <span class="muted"> → {STATUS_LABELS[e.to]}</span>}
            {e.department && <span> · {props.services.directory.get(e.department)?.short ?? e.department}</span>}
          </div>
          <div class="muted small">
            {chinaTime(e.at)} · {ACTOR_LABELS[e.actor.kind]} {e.actor.id}
          </div>
          {e.reason && <div>理由：{e.reason}</div>}
          {e.note && <div>{e.action === 'feedback' ? feedbackNote(e.note) : e.note}</div>}
        </li>
      ))}
    </ol>
  );
}

function feedbackNote(note: string): string {
  const [s, ...rest] = note.split('：');
  const label = SATISFACTION_LABELS[s as Satisfaction];
  return label ? [label, ...rest].join('：') : note;
}

const DETAIL_LABELS: Record<string, string> = { what: '详细情况', where: '地点', when: '时间', caller: '来电人', cite: '政策依据' };

/** Everything known about a case, citizen-typed text escaped like all JSX text. */
export function CaseFacts(props: { v: CaseView; contact?: string; revealHref?: string; user: UserSession }) {
  const { v } = props;
  return (
    <>
      <dl class="kv">
        <dt>工单编号</dt>
        <dd id="case-number">{v.number}</dd>
        <dt>类型</dt>
        <dd>{v.typeLabel}</dd>
        <dt>状态</dt>
        <dd id="case-status">{v.statusLabel}</dd>
        <dt>承办部门</dt>
        <dd>{v.departmentName ?? '未派单'}</dd>
        <dt>办理时限</dt>
        <dd>
          {chinaTime(v.deadline)} <DueBadge v={v} />
        </dd>
        <dt>诉求摘要</dt>
        <dd id="case-summary">{v.summary}</dd>
        {Object.entries(v.details).map(([k, val]) => (
          <>
            <dt>{DETAIL_LABELS[k] ?? k}</dt>
            <dd>{val}</dd>
          </>
        ))}
        <dt>联系方式</dt>
        <dd>
          {props.contact ?? v.contactMasked ?? '未留'}
          {!props.contact && v.contactMasked && props.revealHref && (
            <form method="post" action={props.revealHref} class="inline-form">
              <Csrf user={props.user} />
              <button type="submit" class="secondary small">查看完整号码（留痕）</button>
            </form>
          )}
        </dd>
        <dt>渠道</dt>
        <dd>{({ web: '网页', wechat: '微信', panel: '热线' } as Record<string, string>)[v.channel] ?? v.channel}</dd>
        <dt>登记时间</dt>
        <dd>{chinaTime(v.createdAt)}</dd>
      </dl>
      {v.excerpt.length > 0 && (
        <>
          <h3>对话摘录</h3>
          <div class="excerpt">{v.excerpt.map((m) => `${m.role === 'user' ? '市民' : '一号答'}：${m.text}`).join('\n')}</div>
        </>
      )}
      {v.replies.length > 0 && (
        <>
          <h3>部门答复</h3>
          {v.replies.map((r) => (
            <div class="excerpt reply">
              {r.text}
              <div class="muted small">{chinaTime(r.at)}</div>
            </div>
          ))}
        </>
      )}
      {v.extensions.length > 0 && (
        <>
          <h3>延期申请</h3>
          {v.extensions.map((x) => (
            <div class="small">
              {x.days}个工作日 · {x.reason} · {x.decision === 'approved' ? '已同意' : x.decision === 'refused' ? '未同意' : '待审批'}
            </div>
          ))}
        </>
      )}
      {v.feedback.length > 0 && (
        <>
          <h3>回访</h3>
          {v.feedback.map((f) => (
            <div class="small">
              {SATISFACTION_LABELS[f.satisfaction]}
              {f.comment ? `：${f.comment}` : ''} · {chinaTime(f.at)}
            </div>
          ))}
        </>
      )}
    </>
  );
}

/** Status filter options for case lists. */
/** The deadline filter, the submit button and the count: the tail of every case-list toolbar. */
export function DueFilterTail(props: { due?: string; total: number }) {
  return (
    <>
      <label>
        时限
        <select name="due">
          <option value="">全部</option>
          <option value="over" selected={props.due === 'over'}>已超期</option>
          <option value="soon" selected={props.due === 'soon'}>即将到期</option>
        </select>
      </label>
      <button type="submit" class="primary">筛选</button>
      <span class="muted small">共 {props.total} 件</span>
    </>
  );
}

export function StatusOptions(props: { selected?: string }) {
  return (
    <>
      <option value="">全部状态</option>
      {CASE_STATUSES.map((s) => (
        <option value={s} selected={props.selected === s}>
          {STATUS_LABELS[s]}
        </option>
      ))}
    </>
  );
}

/** Messages after a successful action (fixed texts: nothing from the URL is echoed). */
export const DONE_MESSAGES: Record<string, string> = {
  created: '工单已创建。', dispatch: '已派单。', accept: '已签收。', reply: '已答复，答复已推送给市民。', return: '已退单。',
  extension: '延期申请已提交。', decide: '已审批延期申请。', urge: '已催办。', close: '已办结。', feedback: '已记录回访结果。', reopen: '已重办并重新派单。',
};
