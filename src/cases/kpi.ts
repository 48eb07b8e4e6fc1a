import type { DepartmentDirectory } from '../knowledge/departments.js';
import { chinaDay, endOfChinaDay, startOfChinaDay } from './calendar.js';
import { workingDaysElapsed, type DeadlinePolicy } from './deadlines.js';
import type { CaseStore } from './store.js';
import type { AuditEntry, Case } from './types.js';

export interface DepartmentKpi {
  department: string;
  name: string;
  /** Dispatches to the department (a re-dispatch after 退单 counts for the new department). */
  received: number;
  accepted: number;
  acceptedOnTime: number;
  /** acceptedOnTime / accepted, null when nothing was accepted. */
  acceptedOnTimeRate: number | null;
  replied: number;
  repliedOnTime: number;
  repliedOnTimeRate: number | null;
  /** Replied after the deadline, or still open past it. */
  overdue: number;
  returns: number;
  /** Mean working days from dispatch to reply. */
  avgWorkingDaysToReply: number | null;
  rated: number;
  /** (满意 + 基本满意) / rated. */
  satisfactionRate: number | null;
}

export interface KpiReport {
  from: string;
  to: string;
  generatedAt: string;
  cases: number;
  departments: DepartmentKpi[];
}

const MAX_CASES = 20_000;
const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);

/**
 * KPIs per department over the cases created on China days `from`..`to` (inclusive), from the
 * audit trails, so a case that was returned and re-dispatched counts for both departments.
 */
export async function computeKpi(
  deps: { store: CaseStore; directory: DepartmentDirectory; policy: DeadlinePolicy; now: Date },
  from: string,
  to: string,
): Promise<KpiReport> {
  const numbers = await deps.store.range({ kind: 'all' }, startOfChinaDay(from).getTime(), endOfChinaDay(to).getTime(), MAX_CASES);
  const cases = await deps.store.getMany(numbers);
  const audits = await Promise.all(cases.map((c) => deps.store.audit(c.number)));
  const rows = new Map<string, DepartmentKpi & { replyDays: number[]; good: number }>();
  const row = (id: string) => {
    let r = rows.get(id);
    if (!r) {
      r = {
        department: id, name: deps.directory.get(id)?.name ?? id,
        received: 0, accepted: 0, acceptedOnTime: 0, acceptedOnTimeRate: null, replied: 0, repliedOnTime: 0,
        repliedOnTimeRate: null, overdue: 0, returns: 0, avgWorkingDaysToReply: null, rated: 0, satisfactionRate: null,
        replyDays: [], good: 0,
      };
      rows.set(id, r);
    }
    return r;
  };
  cases.forEach((c: Case, i) => {
    const audit: AuditEntry[] = audits[i] ?? [];
    let dept: string | undefined;
    let dispatchedAt: string | undefined;
    for (const e of audit) {
      if ((e.action === 'dispatch' || e.action === 'reopen') && e.department) {
        dept = e.department;
        dispatchedAt = e.at;
        row(dept).received++;
      } else if (e.action === 'accept' && dept && dispatchedAt) {
        const r = row(dept);
        r.accepted++;
        const acceptBy = endOfChinaDay(deps.policy.calendar.addWorkingDays(chinaDay(new Date(dispatchedAt)), deps.policy.acceptDays));
        if (Date.parse(e.at) <= acceptBy.getTime()) r.acceptedOnTime++;
      } else if (e.action === 'return' && dept) {
        row(dept).returns++;
      } else if (e.action === 'reply' && dept && dispatchedAt) {
        const r = row(dept);
        r.replied++;
        // The deadline in force at the reply is recorded with it (a reopen sets a new one later).
        if (Date.parse(e.at) <= Date.parse(e.deadline ?? c.deadline)) r.repliedOnTime++;
        else r.overdue++;
        r.replyDays.push(workingDaysElapsed(deps.policy, dispatchedAt, e.at));
      }
    }
    if (c.department && c.dispatchedAt && ['dispatched', 'accepted', 'returned'].includes(c.status) && deps.now.getTime() > Date.parse(c.deadline)) {
      row(c.department).overdue++;
    }
    const last = c.feedback.at(-1);
    if (last && c.department) {
      const r = row(c.department);
      r.rated++;
      if (last.satisfaction !== 'unsatisfied') r.good++;
    }
  });
  const departments = [...rows.values()]
    .map(({ replyDays, good, ...r }) => ({
      ...r,
      acceptedOnTimeRate: ratio(r.acceptedOnTime, r.accepted),
      repliedOnTimeRate: ratio(r.repliedOnTime, r.replied),
      avgWorkingDaysToReply: replyDays.length ? Math.round((replyDays.reduce((a, b) => a + b, 0) / replyDays.length) * 100) / 100 : null,
      satisfactionRate: ratio(good, r.rated),
    }))
    .sort((a, b) => b.received - a.received || a.department.localeCompare(b.department));
  return { from, to, generatedAt: deps.now.toISOString(), cases: cases.length, departments };
}
