// The workflow editor in the browser against a real instance, with example actions built from a
// test-made git repository: a new workflow, steps dragged from the palette, connections refused
// when the types do not fit (with the reason) and made when they do, problems on the nodes, undo
// and redo, Delete, Save and reload, the YAML view both ways, Export and Import, Deploy.
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { ADMIN_PASSWORD, buildActions, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let repo: TestRepository;
let page: Page;
const VIEWER = { username: 'vic', password: 'viewer-password-1' };
const OPERATOR = { username: 'otto', password: 'operator-password-1' };

beforeAll(async () => {
  browsing = await startBrowsing();
  const { api } = browsing.behind;
  const login = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body;
  const token = login.access_token as string;
  // A viewer of the same project, for the read-only test.
  const viewer = (await api('POST', '/authorization/users', { token, json: VIEWER })).body.id as string;
  expect((await api('POST', `/authorization/projects/${login.project_id as string}/members`, { token, json: { user_id: viewer, role: 'viewer' } })).status).toBeLessThan(300);
  const operator = (await api('POST', '/authorization/users', { token, json: OPERATOR })).body.id as string;
  expect((await api('POST', `/authorization/projects/${login.project_id as string}/members`, { token, json: { user_id: operator, role: 'operator' } })).status).toBeLessThan(300);
  repo = await makeTestRepository();
  await repo.copyExample('add-one', 'actions/add-one');
  await repo.copyExample('uppercase', 'actions/uppercase');
  await repo.commit({}, 'two actions');
  await buildActions(browsing, token, { name: 'examples', url: repo.fileUrl }, ['add-one', 'uppercase'], 150_000);
  page = await browsing.newPage();
  await logIn(page);
}, 240_000);
afterAll(async () => {
  await browsing?.stop();
  await repo?.close();
});

// What the page showed when a test failed, for the person reading the failure.
afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && page) await browsing.screenshot(page, `editor-failed-${context.task.name.slice(0, 30).replace(/\W+/g, '-')}`);
});

const canvas = () => page.getByRole('region', { name: 'Canvas' });
const step = (id: string) => page.locator(`[data-step-id="${id}"]`);
const handle = (node: Locator, name: string) => node.locator(`[data-handle="${name}"]`);
const edges = () => page.locator('.react-flow__edge');
const yaml = () => page.getByRole('textbox', { name: 'YAML', exact: true });

/** A real pointer drag from one handle to another, as a person connects two ports. */
async function connectPorts(from: Locator, to: Locator) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('a handle is not on screen');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

const problemsOf = async (id: string) => Number(await step(id).getAttribute('data-problems'));

describe('the workflow editor', () => {
  it('creates a workflow from the list', async () => {
    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();
    await page.getByRole('link', { name: 'New workflow' }).click();
    await page.getByLabel('Name', { exact: true }).fill('counting');
    await page.getByRole('combobox', { name: 'Trigger' }).click();
    await page.getByRole('option', { name: 'Manual' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'counting' }).waitFor();
    await page.getByRole('toolbar', { name: 'Editor' }).waitFor();
    expect(await page.locator('[data-node="trigger"]').count()).toBe(1);
    expect(await page.locator('[data-node="results"]').count()).toBe(1);
  });

  it('adds steps by dragging from the palette (and by the Add button), with ids from the action', async () => {
    const palette = page.getByRole('region', { name: 'Library palette' });
    await palette.getByLabel('Search actions').fill('capital');
    await expect.poll(() => palette.locator('[data-palette-action]').count()).toBe(1);
    await palette.getByLabel('Search actions').fill('');
    await palette.locator('[data-palette-action="uppercase"]').dragTo(canvas(), { targetPosition: { x: 300, y: 80 } });
    await step('uppercase').waitFor();
    await palette.locator('[data-palette-action="add-one"]').dragTo(canvas(), { targetPosition: { x: 300, y: 260 } });
    await step('add-one').waitFor();
    await palette.getByRole('button', { name: 'Add add-one', exact: true }).click();
    await step('add-one-2').waitFor();
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    // Each step's ports, typed.
    expect(await handle(step('add-one'), 'in:n').getAttribute('title')).toBe('n: integer');
    expect(await handle(step('uppercase'), 'out:text').getAttribute('title')).toBe('text: string');
    // A required input with no value is a problem, shown on the node (live validation).
    await expect.poll(() => problemsOf('add-one-2'), { timeout: 10_000 }).toBeGreaterThan(0);
    // …and on the input it concerns.
    await expect.poll(() => step('add-one-2').locator('[data-port-problem]').getAttribute('title')).toContain('requires the input n');
    expect(await page.locator('[data-unsaved], [data-dirty="true"]').count()).toBe(1);
  });

  it('refuses a connection whose types do not fit, with the reason', async () => {
    const before = await edges().count();
    await connectPorts(handle(step('uppercase'), 'out:text'), handle(step('add-one'), 'in:n'));
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Not connected' }).count()).toBe(1);
    expect(await page.getByRole('alert').filter({ hasText: 'Not connected' }).innerText()).toContain('a string cannot fill an integer input');
    expect(await edges().count()).toBe(before);
    // The YAML view shows the input still unset.
    await page.getByRole('button', { name: 'YAML', exact: true }).click();
    expect(await yaml().inputValue()).not.toContain('steps.uppercase.text');
  });

  it('connects compatible ports: the edge appears, the reference is written, the problem goes', async () => {
    const before = await edges().count();
    await connectPorts(handle(step('add-one'), 'out:n'), handle(step('add-one-2'), 'in:n'));
    await expect.poll(() => edges().count()).toBe(before + 1);
    await expect.poll(() => yaml().inputValue()).toContain('n: ${{ steps.add-one.n }}');
    await expect.poll(() => problemsOf('add-one-2'), { timeout: 10_000 }).toBe(0);
    expect(await step('add-one-2').locator('[data-port-problem]').count()).toBe(0);
    expect(await problemsOf('add-one')).toBeGreaterThan(0);
  });

  it('undoes and redoes the connection, with the buttons and the keyboard', async () => {
    const after = await edges().count();
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect.poll(() => edges().count()).toBe(after - 1);
    expect(await yaml().inputValue()).not.toContain('steps.add-one.n');
    await page.getByRole('button', { name: 'Redo', exact: true }).click();
    await expect.poll(() => edges().count()).toBe(after);
    await canvas().locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => edges().count()).toBe(after - 1);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => edges().count()).toBe(after);
  });

  it('removes a selected edge with Delete (the input loses its reference), undoably', async () => {
    const count = await edges().count();
    const edge = page.locator('.react-flow__edge[data-id="step:add-one/out:n->step:add-one-2/in:n"] .react-flow__edge-interaction');
    await edge.click({ force: true }); // an SVG path of no visible stroke: playwright's visibility check would wait
    await page.keyboard.press('Delete');
    await expect.poll(() => edges().count()).toBe(count - 1);
    expect(await yaml().inputValue()).not.toContain('steps.add-one.n');
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect.poll(() => edges().count()).toBe(count);
  });

  it('connecting an output to the results adds a result named after it', async () => {
    const results = page.locator('[data-node="results"]');
    await connectPorts(handle(step('add-one-2'), 'out:n'), handle(results, 'in:+'));
    await handle(results, 'in:n').waitFor();
    await expect.poll(() => yaml().inputValue()).toContain('results:\n  n: ${{ steps.add-one-2.n }}');
  });

  it('removes a selected step with Delete', async () => {
    await step('uppercase').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => step('uppercase').count()).toBe(0);
    expect(await yaml().inputValue()).not.toContain('uppercase');
  });

  it('refuses to deploy a draft with problems, with the reason; a problem selects its step', async () => {
    // A draft with problems can be saved.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => page.locator('[data-dirty="true"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'workflow_invalid' });
    await refusal.waitFor({ timeout: 20_000 });
    expect(await page.getByRole('list', { name: 'Reasons' }).innerText()).toContain('steps[0].inputs.n');
    expect(await page.locator('[data-deploy-status]').first().getAttribute('data-deploy-status')).toBe('undeployed');
    await page.getByRole('region', { name: 'Problems' }).getByRole('button', { name: 'steps[0].inputs.n' }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Step' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('.react-flow__node.selected [data-step-id="add-one"]').count()).toBe(1);
  });

  it('follows an edit of the YAML; a YAML that does not read is shown, not applied', async () => {
    const text = await yaml().inputValue();
    await yaml().fill(`${text}  total: [`);
    await page.getByRole('alert').filter({ hasText: 'YAML error' }).waitFor();
    expect(await page.locator('[data-node="results"] [data-handle="in:total"]').count()).toBe(0);
    // add-one gets its n from the YAML: its problem goes; a result reads add-one-2.
    const fixed = text.replace(/( {2}- id: add-one\n {4}action: add-one\S*\n)/, '$1    inputs:\n      n: 41\n');
    expect(fixed).not.toBe(text);
    await yaml().fill(fixed.replace('results:\n  n:', 'results:\n  total:'));
    await page.locator('[data-node="results"] [data-handle="in:total"]').waitFor();
    // The edge to the renamed result is drawn (the node kept its size: its handles are measured again).
    await expect.poll(() => page.locator('.react-flow__edge[data-id$="results/in:total"]').count()).toBe(1);
    await expect.poll(() => problemsOf('add-one'), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.getByRole('region', { name: 'Problems' }).getAttribute('data-problem-count'), { timeout: 10_000 }).toBe('0');
  });

  it('renaming a step in its panel renames what reads it; undo takes the panel change back', async () => {
    await step('add-one-2').click();
    const stepId = page.getByRole('region', { name: 'Side panel' }).getByRole('textbox', { name: /^Step id/ });
    await stepId.fill('second');
    await stepId.press('Tab');
    await step('second').waitFor();
    await expect.poll(() => yaml().inputValue()).toContain('total: ${{ steps.second.n }}');
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await step('add-one-2').waitFor();
    expect(await yaml().inputValue()).toContain('total: ${{ steps.add-one-2.n }}');
  });

  it('asks before leaving with unsaved changes', async () => {
    await page.getByRole('link', { name: 'Library' }).click();
    const dialog = page.getByRole('dialog', { name: 'Leave without saving?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Stay' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await step('add-one-2').count()).toBe(1);
  });

  it('saves the draft; a reload shows the same graph', async () => {
    const count = await edges().count();
    // Ctrl+S saves, as the Save draft button does.
    await canvas().locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.locator('[data-dirty="true"]').count()).toBe(0);
    await browsing.screenshot(page, 'editor');
    await page.reload();
    await step('add-one-2').waitFor();
    expect(await step('add-one').count()).toBe(1);
    await expect.poll(() => edges().count()).toBe(count);
    await page.getByRole('button', { name: 'YAML', exact: true }).click();
    // Saved: studio pinned the actions.
    expect(await yaml().inputValue()).toContain('action: add-one@1.0.0');
  });

  it('exports the YAML and imports it back; an import that does not read names its line', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export YAML' }).click()]);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const exported = await readFile(path, 'utf8');
    expect(exported).toContain('name: counting');
    expect(exported).toContain('n: ${{ steps.add-one.n }}');
    await page.getByRole('button', { name: 'Import YAML' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import YAML' });
    await dialog.getByLabel('YAML to import').fill('name: counting\nsteps: [\n');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').innerText()).toMatch(/line \d+/);
    // A document that reads but names an action the library does not have: imported, its problems at their lines.
    await dialog.getByLabel('YAML to import').fill(exported.replace('action: add-one@1.0.0\n', 'action: nope\n'));
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').innerText()).toMatch(/line \d+, column \d+: .*nope/);
    await step('add-one').waitFor();
    await expect.poll(() => problemsOf('add-one')).toBeGreaterThan(0);
    await dialog.getByLabel('YAML to import').fill(exported.replace('kind: Workflow\n', 'kind: Workflow\n').replace('name: counting\n', 'name: counting\ntitle: Counting twice\n'));
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => yaml().inputValue()).toContain('title: Counting twice');
    expect(await step('add-one-2').count()).toBe(1);
    expect(await page.locator('[data-dirty="true"]').count()).toBe(0);
  });

  it('deploys: the status follows until deployed, with a link to start a run', async () => {
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect.poll(() => page.locator('[data-deploy-status]').first().getAttribute('data-deploy-status'), { timeout: 120_000, interval: 1000 }).toBe('deployed');
    await page.getByRole('link', { name: 'Start a run' }).waitFor();
    await page.getByRole('button', { name: 'Undeploy' }).waitFor();
    // The deployed version, read only.
    await page.getByRole('button', { name: 'Versions' }).click();
    const drawer = page.getByRole('dialog', { name: 'Versions' });
    await drawer.getByRole('button', { name: 'View version 1' }).click();
    expect(await drawer.getByRole('region', { name: 'Version 1' }).innerText()).toContain('title: Counting twice');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: 'Workflows' }).click();
    const row = page.locator('[data-workflow="counting"]');
    await row.waitFor();
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('deployed');
    await expect.poll(() => row.locator('[data-problems]').getAttribute('data-problems')).toBe('0');
    await browsing.screenshot(page, 'workflows');
  }, 150_000);

  it('is read only for a viewer: no edit commands, no palette, nothing connectable', async () => {
    const viewerPage = await browsing.newPage();
    await logIn(viewerPage, VIEWER.username, VIEWER.password);
    await viewerPage.getByRole('link', { name: 'Workflows' }).click();
    await viewerPage.locator('[data-workflow="counting"]').getByRole('link', { name: 'counting' }).click();
    await viewerPage.locator('[data-step-id="add-one-2"]').waitFor();
    const toolbar = viewerPage.getByRole('toolbar', { name: 'Editor' });
    expect(await toolbar.getByRole('button').allInnerTexts()).toEqual(['Auto-layout', 'Export YAML', 'YAML', 'Versions']);
    expect(await viewerPage.getByRole('region', { name: 'Library palette' }).count()).toBe(0);
    expect(await viewerPage.locator('[data-step-id="add-one-2"] [data-handle="in:n"].connectable').count()).toBe(0);
    await viewerPage.locator('[data-step-id="add-one-2"]').click();
    await viewerPage.keyboard.press('Delete');
    expect(await viewerPage.locator('[data-step-id="add-one-2"]').count()).toBe(1);
    // Starting a run is an operator's.
    expect(await viewerPage.getByRole('link', { name: 'Start a run' }).count()).toBe(0);
  });

  it('lets an operator deploy and start runs, not edit', async () => {
    const operatorPage = await browsing.newPage();
    await logIn(operatorPage, OPERATOR.username, OPERATOR.password);
    await operatorPage.getByRole('link', { name: 'Workflows' }).click();
    await operatorPage.locator('[data-workflow="counting"]').getByRole('link', { name: 'counting' }).click();
    await operatorPage.locator('[data-step-id="add-one-2"]').waitFor();
    const toolbar = operatorPage.getByRole('toolbar', { name: 'Editor' });
    await expect.poll(() => toolbar.getByRole('button').allInnerTexts()).toEqual(['Deploy', 'Undeploy', 'Auto-layout', 'Export YAML', 'YAML', 'Versions']);
    expect(await operatorPage.getByRole('region', { name: 'Library palette' }).count()).toBe(0);
    expect(await operatorPage.getByRole('link', { name: 'Start a run' }).count()).toBe(1);
  });

  it('undeploys', async () => {
    await page.goBack();
    await page.getByRole('button', { name: 'Undeploy' }).click();
    await expect.poll(() => page.locator('[data-deploy-status]').first().getAttribute('data-deploy-status'), { timeout: 60_000, interval: 1000 }).toBe('undeployed');
    expect(await page.getByRole('link', { name: 'Start a run' }).count()).toBe(0);
  }, 90_000);

  it('restores a version as the draft (an edit: undo takes it back)', async () => {
    if (!(await yaml().isVisible())) await page.getByRole('button', { name: 'YAML', exact: true }).click();
    await yaml().fill((await yaml().inputValue()).replace('title: Counting twice', 'title: Changed'));
    await expect.poll(() => page.locator('[data-dirty="true"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.getByRole('dialog', { name: 'Versions' }).getByRole('button', { name: 'Restore version 1 as draft' }).click();
    await expect.poll(() => yaml().inputValue()).toContain('title: Counting twice');
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect.poll(() => yaml().inputValue()).toContain('title: Changed');
  });

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
