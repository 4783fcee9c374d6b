// The whole path a user takes in the browser, on a real instance behind the gateway: log in, add a
// git repository the test made, scan it, build its actions, draw a workflow on the canvas from two
// of them by dragging and connecting, set an input (a problem appears on the step, then goes),
// deploy, start a run by hand, watch it turn green, and read a step's logs and outputs.
// Each page is photographed into .test-results/webui/path-*.png.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let repo: TestRepository;

beforeAll(async () => {
  browsing = await startBrowsing();
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'actions/echo');
  await repo.copyExample('uppercase', 'actions/uppercase');
  await repo.commit({}, 'two actions');
}, 120_000);
afterAll(async () => {
  await browsing?.stop();
  await repo?.close();
});

const BUILD_WAIT = 180_000;

/** Drags from one point of the page to another with the mouse, in steps (xyflow follows pointer moves). */
async function dragBetween(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('a handle to connect is not on screen');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

describe('the whole path in the browser', () => {
  it('from a git repository to a run that turns green, its logs and outputs', async () => {
    const page = await browsing.newPage();
    await page.goto('/app/login');
    await browsing.screenshot(page, 'path-01-login');
    await logIn(page);

    // Add the repository, scan it, see its actions.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Repositories' }).click();
    await page.getByRole('heading', { name: 'Repositories' }).waitFor();
    await page.getByRole('button', { name: 'Add repository' }).click();
    await page.getByLabel('Name', { exact: true }).fill('examples');
    await page.getByLabel('Git URL', { exact: true }).fill(repo.fileUrl);
    await browsing.screenshot(page, 'path-02-add-repository');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { name: 'examples' }).waitFor();
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    const found = page.getByRole('region', { name: 'Actions found' });
    await found.locator('[data-found-action="uppercase"]').waitFor({ timeout: 60_000 });
    await found.locator('[data-found-action="echo"]').waitFor();

    // Build both; the builds turn green live.
    await page.getByRole('button', { name: 'Build all' }).click();
    const builds = page.getByRole('region', { name: 'Builds' });
    await expect.poll(() => builds.locator('[data-status]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-status'))), { timeout: BUILD_WAIT, interval: 1000 })
      .toEqual(expect.arrayContaining(['succeeded', 'succeeded']));
    await browsing.screenshot(page, 'path-03-source');
    await builds.getByRole('link').first().click();
    await page.locator('[data-build-status]').waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'Log' }).innerText()).not.toBe('');
    await browsing.screenshot(page, 'path-04-build');

    // The library has them.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Library' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Actions' }).getByRole('listitem').count(), { timeout: 30_000 }).toBe(2);
    await browsing.screenshot(page, 'path-05-library');

    // A new workflow drawn on the canvas.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('link', { name: 'New workflow' }).or(page.getByRole('button', { name: 'New workflow' })).click();
    await page.getByLabel('Name', { exact: true }).fill('shout');
    await page.getByRole('button', { name: 'Create' }).click();
    const canvas = page.getByRole('region', { name: 'Canvas' });
    await canvas.locator('[data-node="trigger"]').waitFor();
    const palette = page.getByRole('region', { name: 'Library palette' });
    await palette.locator('[data-palette-action="echo"]').dragTo(canvas, { targetPosition: { x: 250, y: 120 } });
    await palette.locator('[data-palette-action="uppercase"]').dragTo(canvas, { targetPosition: { x: 250, y: 320 } });
    const echo = canvas.locator('[data-step-id="echo"]');
    const uppercase = canvas.locator('[data-step-id="uppercase"]');
    await echo.waitFor();
    await uppercase.waitFor();

    // Both lack their required input: each shows a problem, live.
    await expect.poll(() => echo.getAttribute('data-problems'), { timeout: 10_000 }).toMatch(/^[1-9]/);
    await expect.poll(() => uppercase.getAttribute('data-problems'), { timeout: 10_000 }).toMatch(/^[1-9]/);
    await browsing.screenshot(page, 'path-06-editor-problems');

    // Set echo's input in its panel: its problem goes.
    await echo.click();
    const panel = page.getByRole('region', { name: 'Step echo' });
    await panel.getByLabel('text', { exact: true }).fill('hello from the browser');
    await expect.poll(() => echo.getAttribute('data-problems'), { timeout: 10_000 }).toMatch(/^(0)?$/);

    // Lay the graph out, connect echo's output to uppercase's input (its problem goes too), then
    // uppercase's output to a new result.
    const toolbar = page.getByRole('toolbar', { name: 'Editor' });
    await toolbar.getByRole('button', { name: 'Auto-layout' }).click();
    await dragBetween(page, echo.locator('[data-handle="out:text"]'), uppercase.locator('[data-handle="in:text"]'));
    await expect.poll(() => uppercase.getAttribute('data-problems'), { timeout: 10_000 }).toMatch(/^(0)?$/);
    const results = canvas.locator('[data-node="results"]');
    await dragBetween(page, uppercase.locator('[data-handle="out:text"]'), results.locator('[data-handle="in:+"]'));
    await results.locator('[data-handle="in:text"]').waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'Problems' }).innerText(), { timeout: 10_000 }).not.toMatch(/required_input_missing/);
    await browsing.screenshot(page, 'path-07-editor');

    // Deploy, then start a run by hand.
    await toolbar.getByRole('button', { name: 'Deploy' }).click();
    await expect.poll(() => page.locator('[data-deploy-status]').getAttribute('data-deploy-status'), { timeout: 60_000, interval: 500 }).toBe('deployed');
    await page.getByRole('link', { name: 'Start a run' }).click();
    await page.getByRole('heading', { name: 'Start a run' }).waitFor();
    await browsing.screenshot(page, 'path-08-start-run');
    await page.getByRole('button', { name: 'Start run' }).click();

    // The run turns green, live.
    const status = page.locator('[data-run-status]');
    await status.waitFor();
    await expect.poll(() => status.getAttribute('data-run-status'), { timeout: 60_000, interval: 500 }).toBe('succeeded');
    const graph = page.getByRole('region', { name: 'Run graph' });
    await expect.poll(() => graph.locator('[data-step-id][data-status]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-status')))).toEqual(['succeeded', 'succeeded']);
    expect(await page.getByRole('region', { name: 'Results' }).innerText()).toContain('HELLO FROM THE BROWSER');
    await browsing.screenshot(page, 'path-09-run');

    // A step's outputs, and another's logs.
    await page.getByRole('region', { name: 'Steps' }).getByText('uppercase', { exact: true }).first().click();
    const shouted = page.getByRole('region', { name: 'Step uppercase' });
    await shouted.getByRole('tab', { name: 'Outputs' }).click();
    await expect.poll(() => shouted.innerText()).toContain('HELLO FROM THE BROWSER');
    await browsing.screenshot(page, 'path-10-step-outputs');
    await page.getByRole('region', { name: 'Steps' }).getByText('echo', { exact: true }).first().click();
    const echoed = page.getByRole('region', { name: 'Step echo' });
    await echoed.getByRole('tab', { name: 'Logs' }).click();
    await expect.poll(() => echoed.innerText()).toContain('echoing 22 characters');
    await browsing.screenshot(page, 'path-11-step-logs');
  }, 420_000);

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
