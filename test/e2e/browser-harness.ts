import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../src/app.js';
import { ROOT, testServices, type TestServiceOptions, type TestServices } from '../helpers/services.js';

/** Debian's Chromium (the `chromium` package); `.ci/run` installs it with fonts-noto-cjk. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'e2e');

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

export interface BrowserHarness {
  services: TestServices;
  baseUrl: string;
  browser: Browser;
  /** A fresh, isolated browser context (own cookies and storage) at a viewport. */
  context(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  /** Full-page screenshot to test-results/e2e/<name>.png. */
  shot(page: Page, name: string, fullPage?: boolean): Promise<string>;
  /** Page errors and CSP violations seen so far, to assert the pages run clean. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * The real app on a free loopback port (@hono/node-server over `testServices()`: real
 * Meilisearch and Redis) and a headless Chromium. Playwright's `launch` gives the browser a fresh
 * temporary user-data dir, removed on close.
 */
export async function startBrowserHarness(opts: TestServiceOptions = {}): Promise<BrowserHarness> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const services = await testServices({
    ...opts,
    // Every browser request comes from 127.0.0.1; the per-IP limits are tested elsewhere.
    config: { LOGIN_RATE_PER_IP_PER_MINUTE: '1000', CHAT_RATE_PER_IP_PER_MINUTE: '1000', SESSIONS_PER_IP: '1000', ...opts.config },
  });
  // One search first, so a cold index does not make the first chat turn hit the search timeout.
  await services.retriever.search('政府信息公开').catch(() => undefined);
  const app = createApp(services);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const problems: string[] = [];
  return {
    services,
    baseUrl,
    browser,
    problems,
    async context(viewport = DESKTOP) {
      const ctx = await browser.newContext({ viewport, baseURL: baseUrl, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      ctx.on('page', (p) => {
        p.on('pageerror', (e) => problems.push(`${p.url()}: ${e.message}`));
        p.on('console', (m) => {
          if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(`${p.url()}: ${m.text()}`);
        });
      });
      return ctx;
    },
    async shot(page, name, fullPage = false) {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage });
      return path;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.cleanup();
    },
  };
}

/** Sign in through the real form. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}
