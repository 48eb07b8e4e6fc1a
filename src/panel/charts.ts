/**
 * ECharts option builders for the dashboards. Pure data in, plain JSON options out: the page
 * puts them in `data-chart` attributes (escaped) and `charts.js` renders them, so no page needs
 * an inline script.
 */
export type ChartOption = Record<string, unknown>;

const FONT = '"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif';
const COLORS = ['#c8161d', '#0b57d0', '#52c41a', '#faad14', '#722ed1', '#13c2c2', '#eb2f96'];

const base = (title: string): ChartOption => ({
  title: { text: title, left: 'center', textStyle: { fontSize: 14, fontFamily: FONT } },
  textStyle: { fontFamily: FONT },
  color: COLORS,
  tooltip: { trigger: 'axis' },
  grid: { left: 48, right: 20, top: 56, bottom: 72 },
  animation: false,
});

/** Grouped bars: one bar per series for each category. */
export function barChart(title: string, categories: string[], series: Array<{ name: string; data: Array<number | null> }>, opts: { percent?: boolean; horizontal?: boolean } = {}): ChartOption {
  const valueAxis = { type: 'value', ...(opts.percent ? { max: 100, axisLabel: { formatter: '{value}%' } } : { minInterval: 1 }) };
  const categoryAxis = { type: 'category', data: categories, axisLabel: { interval: 0, rotate: opts.horizontal ? 0 : categories.length > 6 ? 30 : 0, width: 120, overflow: 'truncate' } };
  return {
    ...base(title),
    legend: { bottom: 0 },
    ...(opts.horizontal
      ? { xAxis: valueAxis, yAxis: { ...categoryAxis, inverse: true }, grid: { left: 150, right: 24, top: 56, bottom: 40 } }
      : { xAxis: categoryAxis, yAxis: valueAxis }),
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, barMaxWidth: 28 })),
  };
}

/** Lines over days. */
export function lineChart(title: string, days: string[], series: Array<{ name: string; data: number[] }>): ChartOption {
  return {
    ...base(title),
    legend: { bottom: 0, type: 'scroll' },
    xAxis: { type: 'category', data: days, boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, smooth: true, showSymbol: false })),
  };
}

/** Share of a whole. */
export function pieChart(title: string, items: Array<{ name: string; value: number }>): ChartOption {
  return {
    ...base(title),
    tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
    legend: { bottom: 0, type: 'scroll' },
    series: [{ type: 'pie', radius: ['35%', '62%'], center: ['50%', '50%'], data: items, label: { formatter: '{b}\n{d}%' } }],
  };
}

/** 0..1 ratio as a whole percentage for charts; null stays null (no bar). */
export const percent = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);
