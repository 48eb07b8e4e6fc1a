import type { UserSession } from '../auth/session.js';
import { CASE_TYPE_LABELS, CASE_TYPES } from '../cases/types.js';
import type { Services } from '../services.js';
import { Csrf } from './layout.js';

/**
 * "来电登记 / 创建工单": the form beside the search results. The search box and a result's
 * "据此创建工单" button fill it in (panel.js); it posts to `/panel/cases/new`.
 */
export function CaseForm(props: { user: UserSession; services: Services; summary?: string }) {
  return (
    <form id="case-form" class="card" method="post" action="/panel/cases/new">
      <h2>来电登记 · 创建工单</h2>
      <Csrf user={props.user} />
      <input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />
      <div class="row2">
        <label>
          来电人
          <input name="caller" maxlength={40} placeholder="如：王女士" />
        </label>
        <label>
          联系电话
          <input name="contact" maxlength={40} inputmode="tel" placeholder="手机或座机" />
        </label>
      </div>
      <div class="row2">
        <label>
          类型
          <select name="type">
            {CASE_TYPES.map((t) => (
              <option value={t} selected={t === 'consult'}>
                {CASE_TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          承办部门
          <select name="department">
            <option value="">暂不派单</option>
            {props.services.directory.list.map((d) => (
              <option value={d.id}>{d.short}</option>
            ))}
          </select>
        </label>
      </div>
      <label>
        诉求摘要
        <input name="summary" required maxlength={200} value={props.summary ?? ''} />
      </label>
      <label>
        详细情况
        <textarea name="what" rows={4} maxlength={2000} placeholder="时间、地点、经过、诉求"></textarea>
      </label>
      <label>
        政策依据（已答复部分）
        <input name="cite" maxlength={300} />
      </label>
      <button type="submit" class="primary">创建工单</button>
    </form>
  );
}
