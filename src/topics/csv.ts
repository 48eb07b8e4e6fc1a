/** UTF-8 byte order mark: Excel needs it to read Chinese in a CSV file correctly. */
export const BOM = '\uFEFF';

function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('；') : String(v);
  // Formula injection: a cell starting with = + - @ would run in Excel.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * RFC 4180 CSV with a BOM and CRLF line ends.
 * @example toCsv([{ n: 1 }], [['数量', (r) => r.n]]) === '\uFEFF数量\r\n1\r\n'
 */
export function toCsv<T>(rows: T[], columns: Array<[header: string, value: (row: T) => unknown]>): string {
  const lines = [columns.map(([h]) => cell(h)).join(',')];
  for (const r of rows) lines.push(columns.map(([, f]) => cell(f(r))).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
