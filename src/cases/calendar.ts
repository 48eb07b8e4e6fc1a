import chineseDays from 'chinese-days';

/**
 * Working-day arithmetic on China's official calendar: weekends, public holidays and 调休
 * make-up workdays come from `chinese-days` (bundled data, no network), optionally corrected by
 * explicit overrides (for a year the library does not cover yet). All dates are calendar days
 * in China Standard Time (UTC+8, no daylight saving), written `YYYY-MM-DD`.
 */
export interface WorkCalendar {
  isWorkday(day: string): boolean;
  /** The day `n` working days after `day` (n >= 0; n = 0 returns `day`). */
  addWorkingDays(day: string, n: number): string;
  /** The day `n` working days before `day` (n >= 0). */
  subtractWorkingDays(day: string, n: number): string;
  /** Working days d with from < d <= to (0 when to <= from). */
  workingDaysBetween(from: string, to: string): number;
  /** Last year for which the library knows the official holidays. */
  lastCoveredYear: number;
}

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
export const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The China calendar day of an instant. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** 00:00:00.000 China time of `day`. */
export function startOfChinaDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - CST_OFFSET_MS);
}

/** 23:59:59.999 China time of `day`: deadlines end with the working day. */
export function endOfChinaDay(day: string): Date {
  return new Date(startOfChinaDay(day).getTime() + DAY_MS - 1);
}

function shiftDay(day: string, delta: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + delta * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Parse `2027-01-01=off,2027-02-06=work` overrides (config `CASE_CALENDAR_OVERRIDES`).
 * @throws Error naming the bad entry.
 */
export function parseCalendarOverrides(raw: string | undefined): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const part of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d{4}-\d{2}-\d{2})=(off|work)$/.exec(part);
    if (!m || Number.isNaN(Date.parse(m[1]!))) throw new Error(`bad calendar override "${part}" (want YYYY-MM-DD=off|work)`);
    out.set(m[1]!, m[2] === 'work');
  }
  return out;
}

/** 元旦 is a holiday every year, so a year whose 1 January counts as a workday is not covered. */
function findLastCoveredYear(): number {
  let year = 2004;
  while (year < 2200 && !chineseDays.isWorkday(`${year + 1}-01-01`)) year++;
  return year;
}

let lastCovered: number | undefined;

export function createWorkCalendar(overrides: Map<string, boolean> = new Map()): WorkCalendar {
  const isWorkday = (day: string) => overrides.get(day) ?? chineseDays.isWorkday(day);
  const step = (day: string, n: number, dir: 1 | -1) => {
    let d = day;
    for (let left = n; left > 0; ) {
      d = shiftDay(d, dir);
      if (isWorkday(d)) left--;
    }
    return d;
  };
  return {
    isWorkday,
    addWorkingDays: (day, n) => step(day, n, 1),
    subtractWorkingDays: (day, n) => step(day, n, -1),
    workingDaysBetween(from, to) {
      let count = 0;
      for (let d = shiftDay(from, 1); d <= to; d = shiftDay(d, 1)) if (isWorkday(d)) count++;
      return count;
    },
    get lastCoveredYear() {
      return (lastCovered ??= findLastCoveredYear());
    },
  };
}
