// The status page in a real browser (Debian chromium driven by playwright-core). A small local
// server plays the gateway: it serves the built page under /app/ and answers the five /readyz
// routes the way the real services and nginx do: two ready, one 503 with a failing check, one
// bare 500, and one whose upstream refuses the connection (nginx then answers 502).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const webui = resolve(import.meta.dirname, '..');
const executablePath = '/usr/bin/chromium';
const screenshots = { light: '/tmp/trellis-webui-status-light.png', dark: '/tmp/trellis-webui-status-dark.png' };

// Fail loudly when chromium is missing on a machine that could install it (root with apt, as CI
// is); skip only where nobody could have installed it.
const canInstallChromium = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
const haveChromium = existsSync(executablePath);
if (!haveChromium && !canInstallChromium) {
  console.warn(`webui e2e skipped: ${executablePath} is missing and this user cannot install it (apt-get install -y chromium, as root).`);
}

type Answer = { status: number; type: string; body: string };

const json = (status: number, body: unknown): Answer => ({ status, type: 'application/json', body: JSON.stringify(body) });

/** What each readyz route answers; a test may change an entry while the page is open. */
const answers = new Map<string, Answer | 'refused'>([
  ['/authorization/readyz', json(200, { status: 'ready', checks: { postgres: 'ok', rabbitmq: 'ok' } })],
  ['/studio/readyz', json(200, { status: 'ready', checks: { postgres: 'ok', rabbitmq: 'ok' } })],
  ['/repository/readyz', json(503, { status: 'not_ready', checks: { postgres: 'ok', rabbitmq: 'connect ECONNREFUSED 127.0.0.1:5672' } })],
  ['/builder/readyz', { status: 500, type: 'text/plain', body: 'Internal Server Error' }],
  ['/runner/readyz', 'refused'],
]);

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

function listen(server: Server): Promise<number> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  return new Promise((done) => server.close(() => done()));
}

/** Forwards like nginx: a refused upstream connection becomes a 502 page. */
function proxyTo(port: number, req: IncomingMessage, res: ServerResponse): void {
  const upstream = request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
    res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
  });
  upstream.end();
}

function makeGateway(dist: string, closedPort: number): Server {
  return createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://gateway').pathname;
      const answer = answers.get(path);
      if (answer === 'refused') return proxyTo(closedPort, req, res);
      if (answer) {
        res.writeHead(answer.status, { 'content-type': answer.type, 'cache-control': 'no-store' });
        return res.end(answer.body);
      }
      if (path === '/app') {
        res.writeHead(301, { location: '/app/' });
        return res.end();
      }
      if (path.startsWith('/app/')) {
        const relative = normalize(path.slice('/app/'.length) || 'index.html');
        if (relative.startsWith('..')) {
          res.writeHead(400);
          return res.end();
        }
        try {
          // A page of the app (no file extension) is the app's index.html, as nginx's try_files gives it.
          const served = extname(relative) ? relative : 'index.html';
          const file = await readFile(join(dist, served));
          res.writeHead(200, { 'content-type': contentTypes[extname(served)] ?? 'application/octet-stream' });
          return res.end(file);
        } catch {
          // falls through to 404
        }
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    })();
  });
}

async function rowOf(page: Page, service: string): Promise<{ state: string; stateText: string; details: string }> {
  const row = page.locator(`tr[data-service="${service}"]`);
  return {
    state: (await row.getAttribute('data-state')) ?? '',
    stateText: ((await row.locator('td.state').textContent()) ?? '').trim(),
    details: (await row.locator('td.details').innerText()).trim(),
  };
}

describe.skipIf(!haveChromium && !canInstallChromium)('web UI status page in chromium', () => {
  let dist: string;
  let gateway: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(executablePath)) {
      throw new Error(`${executablePath} is missing: install it with \`apt-get install -y chromium\` (CI must do so before the tests).`);
    }
    dist = await mkdtemp(join(tmpdir(), 'trellis-webui-'));
    // Build the current source with the real vite config, so the test never serves a stale dist/.
    await build({ root: webui, configFile: join(webui, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });

    const closed = createServer();
    const closedPort = await listen(closed);
    await close(closed);
    gateway = makeGateway(dist, closedPort);
    origin = `http://127.0.0.1:${await listen(gateway)}`;

    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Chromium logs every non-2xx fetch as "Failed to load resource"; those answers are the point here.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    await page.goto(`${origin}/app/status`);
    await page.locator('tr[data-service="runner"]:not([data-state="checking"])').waitFor({ timeout: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (gateway) await close(gateway);
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  it('says what the page is, without a login', async () => {
    expect(await page.title()).toBe('Trellis · Platform status');
    expect(await page.locator('h1').innerText()).toBe('Platform status');
    expect(await page.locator('main').innerText()).toContain('Whether each Trellis service is ready');
  });

  it('shows one row per service, in order', async () => {
    const ids = await page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-service')));
    expect(ids).toEqual(['authorization', 'studio', 'repository', 'action-builder', 'runner']);
  });

  it('shows ready services as ready', async () => {
    for (const service of ['authorization', 'studio']) {
      const row = await rowOf(page, service);
      expect(row).toMatchObject({ state: 'ready', stateText: 'Ready' });
      expect(row.details).toBe('Checks passing: postgres, rabbitmq');
    }
  });

  it('shows a 503 as not ready, with the failing check and only that one', async () => {
    const row = await rowOf(page, 'repository');
    expect(row).toMatchObject({ state: 'not-ready', stateText: 'Not ready' });
    expect(row.details).toBe('rabbitmq: connect ECONNREFUSED 127.0.0.1:5672');
  });

  it('shows a bare 500 as not ready, saying what came back', async () => {
    const row = await rowOf(page, 'action-builder');
    expect(row).toMatchObject({ state: 'not-ready', stateText: 'Not ready' });
    expect(row.details).toBe('Answered HTTP 500 Internal Server Error without a readiness report');
  });

  it('shows a service the gateway cannot reach as unreachable', async () => {
    const row = await rowOf(page, 'runner');
    expect(row).toMatchObject({ state: 'unreachable', stateText: 'Unreachable' });
    expect(row.details).toContain('could not reach the service (HTTP 502');
  });

  it('sums it up in a live status line', async () => {
    expect(await page.locator('#summary[role="status"]').innerText()).toBe('2 of 5 services are ready.');
    expect(await page.locator('#checked-at').innerText()).toMatch(/^Last checked at .+ Refreshes every 5 seconds\.$/);
  });

  it('looks right in light and dark mode (screenshots for a person to look at)', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: screenshots.light, fullPage: true });
    const lightBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: screenshots.dark, fullPage: true });
    const darkBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(lightBackground).not.toBe(darkBackground);
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('refreshes by itself within 5 seconds when a service recovers', async () => {
    answers.set('/repository/readyz', json(200, { status: 'ready', checks: { postgres: 'ok', rabbitmq: 'ok' } }));
    answers.set('/runner/readyz', json(200, { status: 'ready', checks: { postgres: 'ok', rabbitmq: 'ok' } }));
    await page.locator('tr[data-service="repository"][data-state="ready"]').waitFor({ timeout: 8_000 });
    await page.locator('tr[data-service="runner"][data-state="ready"]').waitFor({ timeout: 8_000 });
    await expect.poll(() => page.locator('#summary').innerText(), { timeout: 2_000 }).toBe('4 of 5 services are ready.');
  }, 20_000);

  it('logged no script errors', () => {
    expect(problems).toEqual([]);
  });
});
