import { Hono, type Context } from 'hono';
import { requirePageRole, type SessionEnv } from '../auth/session-http.js';
import { chinaDay } from '../cases/calendar.js';
import type { DepartmentKpi } from '../cases/kpi.js';
import { kpiQuerySchema } from '../cases/routes/schemas.js';
import type { Services } from '../services.js';
import { toCsv } from '../topics/csv.js';
import { barChart, percent } from './charts.js';
import { Layout } from './layout.js';
import { VENDOR_PATHS } from './static-assets.js';

const DAY_MS = 86_400_000;

/** `from`/`to` from the query, defaulting to the 30 China days ending today. */
export function windowOf(c: Context, now: Date, days = 30): { from: string; to: string } {
  const to = c.req.query('to') || chinaDay(now);
  const from = c.req.query('from') || chinaDay(new Date(Date.parse(`${to}T12:00:00+08:00`) - (days - 1) * DAY_MS));
  return kpiQuerySchema.parse({ from, to });
}

const pctText = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);

export const KPI_CSV_COLUMNS: Array<[string, (r: DepartmentKpi) => unknown]> = [
  ['部门', (r) => r.name],
  ['受理量', (r) => r.received],
  ['签收量', (r) => r.accepted],
  ['按时签收率', (r) => pctText(r.acceptedOnTimeRate)],
  ['答复量', (r) => r.replied],
  ['按时答复率', (r) => pctText(r.repliedOnTimeRate)],
  ['超期', (r) => r.overdue],
  ['退单', (r) => r.returns],
  ['平均答复用时（工作日）', (r) => r.avgWorkingDaysToReply ?? ''],
  ['回访数', (r) => r.rated],
  ['满意率', (r) => pctText(r.satisfactionRate)],
];

/** `/panel/kpi` (charts + table) and `/panel/kpi.csv`, from `services.cases.kpi`. */
export function kpiPages(services: Services) {
  const app = new Hono<SessionEnv>();
  app.use('/panel/kpi', requirePageRole('agent', 'admin'));
  app.use('/panel/kpi.csv', requirePageRole('agent', 'admin'));

  app.get('/panel/kpi.csv', async (c) => {
    const w = windowOf(c, services.clock.now());
    const report = await services.cases.kpi(w.from, w.to);
    return c.body(toCsv(report.departments, KPI_CSV_COLUMNS), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="kpi-${w.from}-${w.to}.csv"`,
    });
  });

  app.get('/panel/kpi', async (c) => {
    const w = windowOf(c, services.clock.now());
    const report = await services.cases.kpi(w.from, w.to);
    const rows = report.departments;
    const names = rows.map((r) => services.directory.get(r.department)?.short ?? r.name);
    const volume = barChart('各部门工单量', names, [
      { name: '受理', data: rows.map((r) => r.received) },
      { name: '答复', data: rows.map((r) => r.replied) },
      { name: '超期', data: rows.map((r) => r.overdue) },
      { name: '退单', data: rows.map((r) => r.returns) },
    ]);
    const rates = barChart('按时率与满意率', names, [
      { name: '按时签收率', data: rows.map((r) => percent(r.acceptedOnTimeRate)) },
      { name: '按时答复率', data: rows.map((r) => percent(r.repliedOnTimeRate)) },
      { name: '满意率', data: rows.map((r) => percent(r.satisfactionRate)) },
    ], { percent: true });
    const total = (k: 'received' | 'replied' | 'overdue' | 'returns') => rows.reduce((a, r) => a + r[k], 0);
    return c.html(
      <Layout title="办理考核" user={c.get('user')} active="/panel/kpi" scripts={[VENDOR_PATHS.echarts, '/panel/assets/charts.js']}>
        <form method="get" action="/panel/kpi" class="toolbar card">
          <strong>工单办理考核</strong>
          <label>
            起
            <input type="date" name="from" value={w.from} required />
          </label>
          <label>
            止
            <input type="date" name="to" value={w.to} required />
          </label>
          <button type="submit" class="primary">统计</button>
          <a class="button" href={`/panel/kpi.csv?from=${w.from}&to=${w.to}`} download>
            导出CSV
          </a>
          <span class="muted small">按登记日期统计 {report.cases} 件工单</span>
        </form>
        <div class="stats">
          <div class="stat"><b>{total('received')}</b>受理</div>
          <div class="stat"><b>{total('replied')}</b>答复</div>
          <div class="stat"><b>{total('overdue')}</b>超期</div>
          <div class="stat"><b>{total('returns')}</b>退单</div>
        </div>
        {rows.length === 0 ? (
          <p class="card muted">该时间段内没有派单的工单。</p>
        ) : (
          <>
            <div class="charts">
              <div class="card"><div class="chart" id="chart-volume" data-chart={JSON.stringify(volume)}></div></div>
              <div class="card"><div class="chart" id="chart-rates" data-chart={JSON.stringify(rates)}></div></div>
            </div>
            <table class="grid" id="kpi-table">
              <thead>
                <tr>{KPI_CSV_COLUMNS.map(([h]) => <th>{h}</th>)}</tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>{KPI_CSV_COLUMNS.map(([, f]) => <td>{String(f(r))}</td>)}</tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Layout>,
    );
  });
  return app;
}
