// A viewer who sees no edit controls: a project member with the viewer role, logged in through
// the browser, reads the project settings, the library, the repositories, the workflows with the
// editor and the runs, which have content (a real git source built, a workflow deployed and run
// through the API), and finds no control that would change anything: no Add, Edit, Delete,
// Create, Scan, Build, Save draft, Deploy, Start a run, Cancel or Re-run, no palette.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/e2e/harness.js';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { ADMIN_PASSWORD, buildActions, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let repo: TestRepository;
let sourceId: string;
let workflowId: string;
let runId: string;

const VIEWER = { username: 'vera', password: 'vera only reads here' };
const WORKFLOW = {
  apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'say-it', title: 'Say it',
  trigger: { type: 'manual', inputs: [{ name: 'text', type: 'string', default: 'hello' }] },
  steps: [{ id: 'say', action: 'echo', inputs: { text: '${{ trigger.text }}' } }],
  results: { said: '${{ steps.say.text }}' },
};

beforeAll(async () => {
  browsing = await startBrowsing();
  const { api } = browsing.behind;
  const login = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body as { access_token: string; project_id: string };
  const token = login.access_token;
  expect((await api('POST', '/authorization/users', { token, json: VIEWER })).status).toBe(201);
  expect((await api('POST', `/authorization/projects/${login.project_id}/members`, { token, json: { username: VIEWER.username, role: 'viewer' } })).status).toBe(201);

  await eventually(() => api('GET', '/studio/variables', { token }), (answer) => answer.status === 200, 30_000);
  expect((await api('PUT', '/studio/variables/API_URL', { token, json: { value: 'https://api.example.com' } })).status).toBe(201);
  expect((await api('PUT', '/studio/secrets/SMTP_PASSWORD', { token, json: { value: 'the viewer never reads this' } })).status).toBe(201);

  repo = await makeTestRepository();
  await repo.copyExample('echo', 'actions/echo');
  await repo.commit({}, 'an action');
  sourceId = await buildActions(browsing, token, { name: 'examples', url: repo.fileUrl }, ['echo'], 180_000);

  const created = await api('POST', '/studio/workflows', { token, json: WORKFLOW });
  expect(created.status, created.text).toBe(201);
  workflowId = created.body.id as string;
  expect((await api('POST', `/studio/workflows/${workflowId}/deploy`, { token })).status).toBe(202);
  await eventually(() => api('GET', `/studio/workflows/${workflowId}`, { token }), (answer) => answer.body?.deployment?.status === 'deployed', 120_000);
  const started = await eventually(() => api('POST', `/runner/workflows/${workflowId}/runs`, { token, json: { inputs: { text: 'hi' } } }), (answer) => answer.status === 201 || answer.status === 202, 30_000);
  runId = started.body.run_id as string;
  await eventually(() => api('GET', `/runner/runs/${runId}`, { token }), (answer) => answer.body?.status === 'succeeded', 120_000);
}, 400_000);
afterAll(async () => {
  await browsing?.stop();
  await repo?.close();
});

/** Every control whose name says it changes something. */
const CHANGES = /^(Add|Edit|Delete|Create|Replace|Revoke|Remove|Save|Deploy|Undeploy|Scan|Build|New|Start|Cancel|Re-run|Import|Undo|Redo|Rename|Disable|Reset)\b/;
const changeControls = (page: Page) => page.getByRole('button', { name: CHANGES }).evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label') ?? node.textContent));

let page: Page;

describe('a viewer who sees no edit controls', () => {
  beforeAll(async () => {
    page = await browsing.newPage();
    await logIn(page, VIEWER.username, VIEWER.password);
  });

  it('reads the variables, the secrets\' names and the members, and can change none of them', async () => {
    await page.goto('/app/settings');
    await page.getByRole('table', { name: 'Variables' }).locator('[data-variable="API_URL"] [data-value]').waitFor();
    expect(await page.getByRole('table', { name: 'Variables' }).innerText()).toContain('https://api.example.com');
    expect(await changeControls(page)).toEqual([]);

    await page.getByRole('tab', { name: 'Secrets', exact: true }).click();
    await page.getByRole('table', { name: 'Secrets' }).locator('[data-secret="SMTP_PASSWORD"]').waitFor();
    expect(await changeControls(page)).toEqual([]);
    expect(await page.content()).not.toContain('the viewer never reads this');

    await page.getByRole('tab', { name: 'API keys', exact: true }).click();
    await page.getByText('Only the project\'s owners see and manage its API keys.').waitFor();
    expect(await changeControls(page)).toEqual([]);

    await page.getByRole('tab', { name: 'Members', exact: true }).click();
    await page.getByRole('table', { name: 'Members' }).locator(`[data-member="${VIEWER.username}"][data-role="viewer"]`).waitFor();
    expect(await changeControls(page)).toEqual([]);
    expect(await page.getByRole('combobox', { name: /^Role of / }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
  });

  it('reads the library', async () => {
    await page.getByRole('link', { name: 'Library', exact: true }).click();
    await page.locator('[data-action="echo"]').waitFor();
    expect(await changeControls(page)).toEqual([]);
  });

  it('reads the repositories and a source, with no Add repository, Scan or Build', async () => {
    await page.goto('/app/repositories');
    await page.getByRole('table', { name: 'Sources' }).locator('[data-source="examples"]').waitFor();
    expect(await page.getByRole('button', { name: 'Add repository' }).count()).toBe(0);
    expect(await changeControls(page)).toEqual([]);
    await page.goto(`/app/repositories/${sourceId}`);
    await page.locator('[data-scan-status="done"]').waitFor();
    await page.getByText('echo').first().waitFor();
    expect(await page.getByRole('button', { name: /^(Scan|Build)/ }).count()).toBe(0);
    expect(await changeControls(page)).toEqual([]);
  });

  it('reads the workflows and one in the editor, with no New workflow, Save draft, Deploy or palette', async () => {
    await page.goto('/app/workflows');
    await page.getByRole('table', { name: 'Workflows' }).locator('[data-workflow="say-it"]').waitFor();
    expect(await page.getByRole('button', { name: 'New workflow' }).or(page.getByRole('link', { name: 'New workflow' })).count()).toBe(0);
    expect(await changeControls(page)).toEqual([]);
    await page.goto(`/app/workflows/${workflowId}`);
    await page.locator('[data-deploy-status="deployed"]').waitFor();
    await page.getByRole('toolbar', { name: 'Editor' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save draft' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Deploy' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Library palette' }).count()).toBe(0);
    expect(await changeControls(page)).toEqual([]);
  });

  it('reads the runs and a run, with no Start a run, Cancel or Re-run', async () => {
    await page.goto('/app/runs');
    await page.getByRole('table', { name: 'Runs' }).locator(`[data-run-id="${runId}"]`).waitFor();
    expect(await page.getByRole('button', { name: 'Start a run' }).or(page.getByRole('link', { name: 'Start a run' })).count()).toBe(0);
    expect(await changeControls(page)).toEqual([]);
    await page.goto(`/app/runs/${runId}`);
    await page.locator('[data-run-status="succeeded"]').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('button', { name: /^(Cancel|Re-run)/ }).count()).toBe(0);
    expect(await changeControls(page)).toEqual([]);
  });

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
