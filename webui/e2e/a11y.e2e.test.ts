// Accessibility basics on every page, checked by axe-core (the engine behind Lighthouse's and
// Deque's audits) in the real browser on a real instance with content: labels, names, roles,
// contrast (WCAG 2 A and AA rules). Serious and critical findings fail the test, with the rule,
// the element and axe's help. Keyboard: Tab reaches the navigation and every focused control
// shows where the focus is.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/e2e/harness.js';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { ADMIN_PASSWORD, buildActions, logIn, startBrowsing, type Browsing } from './browser.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let browsing: Browsing;
let repo: TestRepository;
let sourceId = '';
let buildId = '';
let workflowId = '';
let runId = '';

beforeAll(async () => {
  browsing = await startBrowsing();
  const { api } = browsing.behind;
  const token = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token as string;
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'actions/echo');
  await repo.commit({}, 'one action');
  sourceId = await buildActions(browsing, token, { name: 'examples', url: repo.fileUrl }, ['echo'], 180_000);
  buildId = (await api('GET', '/builder/builds', { token })).body.items[0].id as string;
  const document = {
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'say', trigger: { type: 'manual', inputs: [{ name: 'text', type: 'string', help: 'What to say' }] },
    steps: [{ id: 'say', action: 'echo', inputs: { text: '${{ trigger.text }}' } }], results: { text: '${{ steps.say.text }}' },
  };
  workflowId = (await api('POST', '/studio/workflows', { token, json: document })).body.id as string;
  await api('POST', `/studio/workflows/${workflowId}/deploy`, { token });
  await eventually(() => api('GET', `/studio/workflows/${workflowId}`, { token }), (answer) => answer.body.deployment?.status === 'deployed', 60_000);
  runId = (await api('POST', `/runner/workflows/${workflowId}/runs`, { token, json: { inputs: { text: 'hi' } } })).body.run_id as string;
  await eventually(() => api('GET', `/runner/runs/${runId}`, { token }), (answer) => answer.body.status === 'succeeded', 30_000);
  await api('PUT', '/studio/variables/GREETING', { token, json: { value: 'hello' } });
}, 300_000);
afterAll(async () => {
  await browsing?.stop();
  await repo?.close();
});

type Finding = { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] };

/** axe's serious and critical findings on the page as it is now. */
async function audit(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Finding[] }> } }).axe;
    return (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${violation.help} at ${node.target.join(' ')}`));
}

const PAGES: { name: string; path: () => string; ready: (page: Page) => Promise<unknown> }[] = [
  { name: 'library', path: () => '/app/library', ready: (page) => page.locator('[data-action="echo"]').waitFor() },
  { name: 'action', path: () => '/app/library/echo', ready: (page) => page.getByRole('heading', { name: 'Echo' }).waitFor() },
  { name: 'repositories', path: () => '/app/repositories', ready: (page) => page.getByRole('link', { name: 'examples' }).waitFor() },
  { name: 'source', path: () => `/app/repositories/${sourceId}`, ready: (page) => page.locator('[data-found-action="echo"]').waitFor() },
  { name: 'build', path: () => `/app/builds/${buildId}`, ready: (page) => page.locator('[data-build-status]').waitFor() },
  { name: 'workflows', path: () => '/app/workflows', ready: (page) => page.locator('[data-workflow="say"]').waitFor() },
  { name: 'editor', path: () => `/app/workflows/${workflowId}`, ready: (page) => page.locator('[data-step-id="say"]').waitFor() },
  { name: 'start run', path: () => `/app/workflows/${workflowId}/run`, ready: (page) => page.getByLabel('text', { exact: true }).waitFor() },
  { name: 'runs', path: () => '/app/runs', ready: (page) => page.locator(`[data-run-id="${runId}"]`).first().waitFor() },
  { name: 'run', path: () => `/app/runs/${runId}`, ready: (page) => page.locator('[data-run-status="succeeded"]').waitFor() },
  { name: 'settings', path: () => '/app/settings', ready: (page) => page.getByRole('heading', { name: /Project settings/ }).waitFor() },
  { name: 'settings keys', path: () => '/app/settings?tab=keys', ready: (page) => page.getByRole('heading', { name: /Project settings/ }).waitFor() },
  { name: 'admin', path: () => '/app/admin', ready: (page) => page.getByRole('heading', { name: 'Administration' }).waitFor() },
  { name: 'status', path: () => '/app/status', ready: (page) => page.getByRole('heading').first().waitFor() },
];

describe('accessibility', () => {
  it('finds no serious or critical WCAG 2 A/AA problem on the login page', async () => {
    const page = await browsing.newPage();
    await page.goto('/app/login');
    await page.getByLabel('Username', { exact: true }).waitFor();
    expect(await audit(page)).toEqual([]);
  });

  it('finds none on any page of the application, with content', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    const found: string[] = [];
    for (const { name, path, ready } of PAGES) {
      await page.goto(path());
      await ready(page);
      found.push(...(await audit(page)).map((line) => `${name}: ${line}`));
    }
    expect(found).toEqual([]);
  }, 180_000);

  it('reaches the navigation with the keyboard, and shows where the focus is', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto('/app/library');
    await page.locator('[data-action="echo"]').waitFor();
    const reached: string[] = [];
    for (let press = 0; press < 15; press += 1) {
      await page.keyboard.press('Tab');
      // Shown = the focused element looks different from itself unfocused (outline, ring or border).
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element || element === document.body) return undefined;
        const look = () => {
          const style = getComputedStyle(element);
          return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow, style.borderColor].join('|');
        };
        const withFocus = look();
        element.blur();
        const without = look();
        element.focus();
        const name = element.getAttribute('aria-label') ?? (element.textContent?.trim() || (element as HTMLInputElement).labels?.[0]?.textContent?.trim() || element.tagName);
        return { name: name.slice(0, 40), visible: withFocus !== without };
      });
      if (!focused) continue;
      expect(focused.visible, `focus on "${focused.name}" is not shown`).toBe(true);
      reached.push(focused.name);
    }
    expect(reached).toEqual(expect.arrayContaining(['Repositories', 'Workflows', 'Runs']));
  });

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
