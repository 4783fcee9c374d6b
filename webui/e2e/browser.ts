// The web UI in a real browser (Debian's chromium driven by playwright-core) against a real
// instance: the five services behind the real gateway, which serves the built web UI at /app/.
// Every test collects the page's console errors and failed requests it did not expect, and
// writes screenshots to .test-results/webui/ for a person to look at.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startBehindGateway, type BehindGateway } from '../../test/e2e/behind-gateway.js';
import { eventually } from '../../test/e2e/harness.js';
import { ADMIN_PASSWORD } from '../../test/e2e/platform.js';

export { ADMIN_PASSWORD };
export const WEBUI = resolve(import.meta.dirname, '..');
// TRELLIS_WEBUI_DIST: a build of its own (vite's TRELLIS_WEBUI_OUT), which no other build empties mid-test.
export const DIST = process.env.TRELLIS_WEBUI_DIST ?? join(WEBUI, 'dist');
export const ARTIFACTS = resolve(WEBUI, '..', '.test-results', 'webui');
const executablePath = '/usr/bin/chromium';

export type Browsing = {
  behind: BehindGateway;
  browser: Browser;
  /** A fresh browser context (its own storage: a person of their own). */
  newPage: (options?: { width?: number; height?: number }) => Promise<Page>;
  /** What the pages wrote as console errors or uncaught exceptions: a test asserts none. */
  problems: string[];
  screenshot: (page: Page, name: string) => Promise<void>;
  stop: () => Promise<void>;
};

export async function startBrowsing(options: Parameters<typeof startBehindGateway>[0] = {}): Promise<Browsing> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST} is not built: run \`npm run build -w webui\` (make test builds it)`);
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install -y chromium (make test-infra does)`);
  const behind = await startBehindGateway({ ...options, webuiDist: DIST });
  const browser = await chromium.launch({
    executablePath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    behind, browser, problems,
    newPage: async ({ width = 1280, height = 800 } = {}) => {
      const context = await browser.newContext({ viewport: { width, height }, baseURL: behind.gateway.base });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        // Chromium logs each non-2xx answer as "Failed to load resource": those the tests provoke
        // (a wrong password, a validation problem) are answers, not errors of the page.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
      });
      return page;
    },
    screenshot: async (page, name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    stop: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await behind.stop();
    },
  };
}

/** Logs in through the login page as a person does. */
export async function logIn(page: Page, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  await page.goto('/app/login');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
}

/**
 * Through the API, as setup: adds the git repository at `url` as a source, scans it, builds every
 * action it has and waits until each of `actionIds` is in the library. The source's id.
 */
export async function buildActions(browsing: Browsing, token: string, source: { name: string; url: string }, actionIds: readonly string[], waitMs = 180_000): Promise<string> {
  const { api } = browsing.behind;
  await eventually(() => api('GET', '/repository/project', { token }), (answer) => answer.status === 200);
  const created = await api('POST', '/repository/sources', { token, json: source });
  if (created.status !== 201) throw new Error(`adding the source ${source.name}: ${created.status} ${created.text}`);
  const sourceId = created.body.id as string;
  const scan = (await api('POST', `/repository/sources/${sourceId}/scan`, { token })).body.id as string;
  await eventually(() => api('GET', `/repository/sources/${sourceId}/scans/${scan}`, { token }), (answer) => answer.body?.status === 'done', 60_000);
  const build = await api('POST', `/repository/sources/${sourceId}/build`, { token, json: {} });
  if (build.status !== 202) throw new Error(`building ${source.name}: ${build.status} ${build.text}`);
  for (const id of actionIds) await eventually(() => api('GET', `/studio/actions/${id}`, { token }), (answer) => answer.status === 200, waitMs);
  return sourceId;
}
