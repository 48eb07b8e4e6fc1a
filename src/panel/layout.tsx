import type { Child } from 'hono/jsx';
import type { UserSession } from '../auth/session.js';
import type { Segment } from './search-model.js';

export const ROLE_LABELS: Record<UserSession['role'], string> = { agent: '话务员', dept: '部门经办人', admin: '管理员' };

interface NavItem {
  href: string;
  label: string;
  roles: Array<UserSession['role']>;
}

const NAV: NavItem[] = [
  { href: '/panel', label: '政策查询', roles: ['agent', 'admin'] },
  { href: '/panel/cases', label: '工单队列', roles: ['agent', 'admin'] },
  { href: '/dept', label: '部门收件箱', roles: ['dept'] },
  { href: '/panel/topics', label: '热点话题', roles: ['agent', 'admin'] },
  { href: '/panel/kpi', label: '办理考核', roles: ['agent', 'admin'] },
];

/** The page frame every panel page shares: header, navigation, user box with sign-out. */
export function Layout(props: { title: string; user?: UserSession; active?: string; scripts?: string[]; children?: Child; deptName?: string }) {
  const { user } = props;
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{`${props.title} · 一号答工作台`}</title>
        <link rel="stylesheet" href="/panel/assets/panel.css" />
      </head>
      <body data-csrf={user?.csrf ?? ''}>
        <header class="top">
          <span class="brand">一号答 · 工作台</span>
          {user && (
            <nav>
              {NAV.filter((n) => n.roles.includes(user.role)).map((n) => (
                <a href={n.href} class={props.active === n.href ? 'on' : ''}>
                  {n.label}
                </a>
              ))}
            </nav>
          )}
          {user && (
            <div class="who">
              <span>
                {user.displayName ?? user.username}（{ROLE_LABELS[user.role]}
                {props.deptName ? ` · ${props.deptName}` : ''}）
              </span>
              <form method="post" action="/logout">
                <input type="hidden" name="_csrf" value={user.csrf} />
                <button type="submit" class="link">退出</button>
              </form>
            </div>
          )}
        </header>
        <main class="page">{props.children}</main>
        <script src="/panel/assets/panel.js"></script>
        {(props.scripts ?? []).map((s) => (
          <script src={s}></script>
        ))}
      </body>
    </html>
  );
}

/** Text with the query matches wrapped in <mark> (escaped like any JSX text). */
export function Marked(props: { segments: Segment[] }) {
  return <>{props.segments.map((s) => (s.hit ? <mark>{s.text}</mark> : s.text))}</>;
}

/** A hidden CSRF field for a form. */
export function Csrf(props: { user: UserSession }) {
  return <input type="hidden" name="_csrf" value={props.user.csrf} />;
}

/** A full error page (403/404) for panel pages. */
export function ErrorPage(props: { user?: UserSession; status: number; message: string }) {
  return (
    <Layout title="出错了" user={props.user}>
      <section class="card narrow">
        <h1>{props.status === 403 ? '无权访问' : props.status === 404 ? '没有找到' : '请求有误'}</h1>
        <p>{props.message}</p>
        <p>
          <a href={props.user ? (props.user.role === 'dept' ? '/dept' : '/panel') : '/login'}>返回首页</a>
        </p>
      </section>
    </Layout>
  );
}
