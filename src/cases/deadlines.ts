import { chinaDay, endOfChinaDay, startOfChinaDay, type WorkCalendar } from './calendar.js';
import { CASE_TYPES, type CaseType } from './types.js';

/** Working days allowed per case type. */
export type DeadlineDays = Record<CaseType, number>;

export const DEFAULT_DEADLINE_DAYS: DeadlineDays = { consult: 3, help: 5, complain: 5, report: 15, suggest: 15 };

/**
 * Parse `consult=3,help=5,...` (config `CASE_DEADLINE_DAYS`); unlisted types keep the default.
 * @throws Error naming the bad entry.
 */
export function parseDeadlineDays(raw: string | undefined): DeadlineDays {
  const out = { ...DEFAULT_DEADLINE_DAYS };
  for (const part of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+)=(\d{1,3})$/.exec(part);
    if (!m || !(CASE_TYPES as readonly string[]).includes(m[1]!) || Number(m[2]) < 1) {
      throw new Error(`bad deadline entry "${part}" (want type=days, type one of ${CASE_TYPES.join('/')}, days >= 1)`);
    }
    out[m[1] as CaseType] = Number(m[2]);
  }
  return out;
}

export interface DeadlinePolicy {
  calendar: WorkCalendar;
  days: DeadlineDays;
  /** Working days a department has to sign for (签收) a dispatched case. */
  acceptDays: number;
  /** A case is near due during its last `nearDueDays` working days. */
  nearDueDays: number;
}

export interface Deadline {
  deadline: string;
  nearDueAt: string;
}

/** Deadline ending with the given China day, and when "near due" starts for it. */
export function deadlineEndingOn(policy: DeadlinePolicy, day: string): Deadline {
  const nearDay = policy.calendar.subtractWorkingDays(day, Math.max(0, policy.nearDueDays - 1));
  return { deadline: endOfChinaDay(day).toISOString(), nearDueAt: startOfChinaDay(nearDay).toISOString() };
}

/**
 * The reply deadline of a case of `type` received at `at`: the end of the N-th working day
 * after the day of receipt (the day itself does not count, as in 12345 practice).
 * @example deadlineFor(policy, 'consult', new Date('2021-09-30T10:00:00+08:00')).deadline
 *   // 2021-10-11T15:59:59.999Z — 国庆 1–7 Oct skipped, Sat 9 Oct is a 调休 workday
 */
export function deadlineFor(policy: DeadlinePolicy, type: CaseType, at: Date): Deadline {
  return deadlineEndingOn(policy, policy.calendar.addWorkingDays(chinaDay(at), policy.days[type]));
}

/** The deadline moved by `days` more working days (an approved 延期). */
export function extendDeadline(policy: DeadlinePolicy, deadline: string, days: number): Deadline {
  return deadlineEndingOn(policy, policy.calendar.addWorkingDays(chinaDay(new Date(deadline)), days));
}

/** When a case dispatched at `at` must be signed for. */
export function acceptByFor(policy: DeadlinePolicy, at: Date): string {
  return endOfChinaDay(policy.calendar.addWorkingDays(chinaDay(at), policy.acceptDays)).toISOString();
}

/** Working days from `from` to `to` (China calendar days, the start day not counted). */
export function workingDaysElapsed(policy: DeadlinePolicy, from: string, to: string): number {
  return policy.calendar.workingDaysBetween(chinaDay(new Date(from)), chinaDay(new Date(to)));
}
