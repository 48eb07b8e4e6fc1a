import { describe, expect, it } from 'vitest';
import { chinaDay, createWorkCalendar, endOfChinaDay, parseCalendarOverrides } from './calendar.js';
import { deadlineFor, extendDeadline, parseDeadlineDays, DEFAULT_DEADLINE_DAYS, type DeadlinePolicy } from './deadlines.js';

const calendar = createWorkCalendar();
const policy: DeadlinePolicy = { calendar, days: DEFAULT_DEADLINE_DAYS, acceptDays: 1, nearDueDays: 1 };
const end = (day: string) => endOfChinaDay(day).toISOString();

describe('China working-day calendar (chinese-days, offline)', () => {
  it('knows holidays and 调休 make-up workdays', () => {
    expect(calendar.isWorkday('2021-10-01')).toBe(false); // 国庆
    expect(calendar.isWorkday('2021-10-09')).toBe(true); // Saturday, 调休
    expect(calendar.isWorkday('2021-09-26')).toBe(true); // Sunday, 调休
    expect(calendar.isWorkday('2021-10-10')).toBe(false); // plain Sunday
    expect(calendar.isWorkday('2026-02-16')).toBe(false); // 春节 2026
    expect(calendar.isWorkday('2026-02-14')).toBe(true); // Saturday, 调休
    expect(calendar.isWorkday('2026-02-28')).toBe(true); // Saturday, 调休
  });

  it('covers at least up to 2026 and reports it', () => {
    expect(calendar.lastCoveredYear).toBeGreaterThanOrEqual(2026);
  });

  it('takes overrides for years the library does not know yet', () => {
    const cal = createWorkCalendar(parseCalendarOverrides('2027-01-01=off,2027-02-06=work'));
    expect(cal.isWorkday('2027-01-01')).toBe(false);
    expect(cal.isWorkday('2027-02-06')).toBe(true);
    expect(() => parseCalendarOverrides('2027-13-45=off')).toThrow(/2027-13-45/);
    expect(() => parseCalendarOverrides('tomorrow=off')).toThrow();
  });

  it('counts working days between two days, the start excluded', () => {
    expect(calendar.workingDaysBetween('2021-09-30', '2021-10-11')).toBe(3);
    expect(calendar.workingDaysBetween('2021-10-11', '2021-10-11')).toBe(0);
    expect(calendar.workingDaysBetween('2021-10-12', '2021-10-11')).toBe(0);
  });

  it('uses the China day of an instant (UTC+8)', () => {
    expect(chinaDay(new Date('2021-09-29T23:30:00Z'))).toBe('2021-09-30');
    expect(chinaDay(new Date('2021-09-30T15:59:59Z'))).toBe('2021-09-30');
    expect(chinaDay(new Date('2021-09-30T16:00:00Z'))).toBe('2021-10-01');
  });
});

describe('case deadlines in working days', () => {
  it('skips 国庆 and counts the 调休 Saturday (consult, 3 days)', () => {
    // 8 Oct (Fri) 1, 9 Oct (Sat, 调休) 2, 11 Oct (Mon) 3.
    expect(deadlineFor(policy, 'consult', new Date('2021-09-30T10:00:00+08:00')).deadline).toBe(end('2021-10-11'));
    // Filed late at night UTC but already 30 Sept in China.
    expect(deadlineFor(policy, 'consult', new Date('2021-09-29T23:30:00Z')).deadline).toBe(end('2021-10-11'));
  });

  it('skips 春节 2021 and counts the 调休 Saturday 20 Feb (help, 5 days)', () => {
    // 10 Feb 1, 11–17 off, 18 Feb 2, 19 Feb 3, 20 Feb (Sat, 调休) 4, 22 Feb 5.
    expect(deadlineFor(policy, 'help', new Date('2021-02-09T15:00:00+08:00')).deadline).toBe(end('2021-02-22'));
  });

  it('skips 春节 2026 (15–23 Feb) and counts Saturday 14 Feb', () => {
    // 13 Feb 1, 14 Feb (Sat, 调休) 2, 24 Feb 3.
    expect(deadlineFor(policy, 'consult', new Date('2026-02-12T09:00:00+08:00')).deadline).toBe(end('2026-02-24'));
  });

  it('is near due from the start of the last working day(s)', () => {
    const d = deadlineFor(policy, 'consult', new Date('2021-09-30T10:00:00+08:00'));
    expect(d.nearDueAt).toBe(new Date('2021-10-11T00:00:00+08:00').toISOString());
    const two = deadlineFor({ ...policy, nearDueDays: 2 }, 'consult', new Date('2021-09-30T10:00:00+08:00'));
    // Two working days before the end: 9 Oct (the 调休 Saturday) and 11 Oct.
    expect(two.nearDueAt).toBe(new Date('2021-10-09T00:00:00+08:00').toISOString());
  });

  it('extends by working days (an approved 延期)', () => {
    expect(extendDeadline(policy, end('2021-09-29'), 2).deadline).toBe(end('2021-10-08'));
  });

  it('reads per-type days from config and rejects bad entries', () => {
    expect(parseDeadlineDays('consult=2,report=20')).toEqual({ ...DEFAULT_DEADLINE_DAYS, consult: 2, report: 20 });
    expect(() => parseDeadlineDays('praise=3')).toThrow(/praise/);
    expect(() => parseDeadlineDays('consult=0')).toThrow(/consult=0/);
  });
});

describe('case deadline settings in config', () => {
  it('fail fast naming the variable', async () => {
    const { parseConfig } = await import('../config.js');
    const { deadlinePolicyFromConfig } = await import('./wiring.js');
    expect(() => parseConfig({ CASE_DEADLINE_DAYS: 'praise=3' })).toThrow(/CASE_DEADLINE_DAYS/);
    expect(() => parseConfig({ CASE_DEADLINE_DAYS: 'consult=0' })).toThrow(/CASE_DEADLINE_DAYS/);
    expect(() => parseConfig({ CASE_CALENDAR_OVERRIDES: '2027-1-1=off' })).toThrow(/CASE_CALENDAR_OVERRIDES/);
    expect(() => deadlinePolicyFromConfig(parseConfig({ CASE_CALENDAR_OVERRIDES: '2027-13-45=off' }))).toThrow(/CASE_CALENDAR_OVERRIDES: .*2027-13-45/);
    expect(deadlinePolicyFromConfig(parseConfig({ CASE_DEADLINE_DAYS: 'consult=2' })).days).toMatchObject({ consult: 2, report: 15 });
  });
});
