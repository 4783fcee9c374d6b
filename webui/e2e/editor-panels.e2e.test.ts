// The editor's side panels in the browser, in the real editor page against a real instance:
// a step's form shows its action's typed inputs; the reference picker offers what fits the input
// and is upstream (never the step itself or a step after it), a secret only where an action input
// takes text; choosing a reference draws its edge; studio's problems and the checks made as one
// types appear on the field they concern and go when fixed; a schedule's cron is read in words.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { ADMIN_PASSWORD, buildActions, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let repo: TestRepository;
let workflowId: string;
const VIEWER = { username: 'vera', password: 'viewer-password-1' };

beforeAll(async () => {
  browsing = await startBrowsing();
  const { api } = browsing.behind;
  const login = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body;
  const token = login.access_token as string;
  // A viewer of the same project: every field shown, none can be changed.
  const viewer = (await api('POST', '/authorization/users', { token, json: VIEWER })).body.id as string;
  expect((await api('POST', `/authorization/projects/${login.project_id as string}/members`, { token, json: { user_id: viewer, role: 'viewer' } })).status).toBeLessThan(300);
  repo = await makeTestRepository();
  // add-one: n integer -> n integer; uppercase and echo: text string -> text string; word-count: document file -> lines, words, characters integers.
  for (const name of ['add-one', 'uppercase', 'echo', 'word-count']) await repo.copyExample(name, `actions/${name}`);
  await repo.commit({}, 'three actions');
  await buildActions(browsing, token, { name: 'examples', url: repo.fileUrl }, ['add-one', 'uppercase', 'echo', 'word-count'], 150_000);
  expect((await api('PUT', '/studio/variables/LIMIT', { token, json: { value: 5 } })).status).toBeLessThan(300);
  expect((await api('PUT', '/studio/secrets/API_TOKEN', { token, json: { value: 'hunter2' } })).status).toBeLessThan(300);
  const created = await api('POST', '/studio/workflows', {
    token,
    json: {
      apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'panels',
      trigger: { type: 'manual', inputs: [{ name: 'count', type: 'integer' }, { name: 'word', type: 'string' }, { name: 'loud', type: 'boolean', optional: true }] },
      steps: [
        { id: 'first', action: 'add-one', inputs: { n: '${{ trigger.count }}' } },
        { id: 'second', action: 'add-one' },
        { id: 'shout', action: 'uppercase', needs: ['second'], inputs: { text: '${{ trigger.word }}' } },
        { id: 'count', action: 'word-count' },
        { id: 'approve', wait: { signal: 'approved', timeout: '2d' }, needs: ['first'] },
      ],
    },
  });
  expect(created.status).toBe(201);
  workflowId = created.body.id as string;
}, 280_000);
afterAll(async () => {
  await browsing?.stop();
  await repo?.close();
});

async function openEditor(as?: { username: string; password: string }): Promise<Page> {
  const page = await browsing.newPage();
  await logIn(page, as?.username, as?.password);
  await page.goto(`/app/workflows/${workflowId}`);
  await page.locator('[data-step-id="second"]').waitFor({ timeout: 20_000 });
  return page;
}

async function selectStep(page: Page, id: string): Promise<Locator> {
  await page.locator(`[data-step-id="${id}"]`).click();
  const panel = page.getByRole('region', { name: `Step ${id}`, exact: true });
  await panel.waitFor();
  return panel;
}

/** Mantine sets aria-invalid only on a field with an error. */
const invalid = async (field: Locator) => (await field.getAttribute('aria-invalid')) === 'true';
const options = (page: Page) => page.getByRole('listbox', { name: 'References', exact: true }).getByRole('option');
const offered = async (page: Page) => Object.fromEntries(await options(page).evaluateAll((nodes) => nodes.map((node) => [node.getAttribute('aria-label'), node.getAttribute('aria-disabled') !== 'true'])));

describe('the editor\'s side panels', () => {
  it('shows a step\'s typed inputs and offers only the references that fit and are upstream; choosing one draws its edge', async () => {
    const page = await openEditor();
    const panel = await selectStep(page, 'second');
    const n = panel.getByLabel('n', { exact: true });
    // Saved, the bare action id was pinned to its newest version: the select of its versions shows it.
    expect(await panel.getByRole('combobox', { name: 'Action', exact: true }).inputValue()).toBe('add-one@1.0.0');
    await expect.poll(() => panel.locator('[data-field="n"] [data-type]').innerText()).toBe('integer');
    // Studio says the required input is missing: the field shows it.
    await expect.poll(() => invalid(n), { timeout: 20_000 }).toBe(true);

    await panel.getByRole('button', { name: 'Reference for n', exact: true }).click();
    await options(page).first().waitFor();
    const offers = await offered(page);
    expect(offers).toMatchObject({ 'trigger.count': true, 'steps.first.n': true, 'vars.LIMIT': true, 'trigger.word': false, 'trigger.loud': false, 'secrets.API_TOKEN': false });
    expect(Object.keys(offers)).not.toContain('steps.second.n'); // itself
    expect(Object.keys(offers)).not.toContain('steps.shout.text'); // downstream (needs second)
    expect(await page.locator('[data-reference="trigger.word"]').innerText()).toMatch(/Does not fit: a string cannot fill an integer input/);
    await browsing.screenshot(page, 'editor-reference-picker');

    const edges = page.locator('.react-flow__edge');
    const before = await edges.count();
    await page.getByRole('option', { name: 'steps.first.n', exact: true }).click();
    await expect.poll(() => n.inputValue()).toBe('${{ steps.first.n }}');
    await expect.poll(() => edges.count()).toBe(before + 1);
    await expect.poll(() => invalid(n), { timeout: 20_000 }).toBe(false);
    await browsing.screenshot(page, 'editor-step-panel');

    // The reference can be cleared: the static editor comes back.
    await panel.getByRole('button', { name: 'Clear n', exact: true }).click();
    await expect.poll(() => n.inputValue()).toBe('');
    await expect.poll(() => edges.count()).toBe(before);
  }, 90_000);

  it('offers a secret to a text action input', async () => {
    const page = await openEditor();
    const panel = await selectStep(page, 'shout');
    await panel.getByRole('button', { name: 'Reference for text', exact: true }).click();
    await options(page).first().waitFor();
    // A string input takes any value as text: the integer outputs fit too.
    expect(await offered(page)).toMatchObject({ 'secrets.API_TOKEN': true, 'trigger.word': true, 'steps.second.n': true, 'steps.first.n': true });
    // By keyboard: the search box has the focus; typing narrows the list, Enter takes the first that fits.
    await page.keyboard.type('api_tok');
    await expect.poll(() => options(page).count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => panel.getByLabel('text', { exact: true }).inputValue()).toBe('${{ secrets.API_TOKEN }}');
  }, 60_000);

  it('shows a wrong value\'s error on its field as it is typed, and takes it away once fixed', async () => {
    const page = await openEditor();
    const panel = await selectStep(page, 'second');
    const timeout = panel.getByLabel('Timeout', { exact: true });
    await timeout.fill('5 minutes');
    await expect.poll(() => invalid(timeout)).toBe(true);
    expect(await panel.getByText(/Not a duration/).count()).toBeGreaterThan(0);
    await timeout.fill('5m');
    await expect.poll(() => invalid(timeout)).toBe(false);

    const id = panel.getByLabel('Step id', { exact: true });
    await id.fill('first');
    await expect.poll(() => invalid(id)).toBe(true);
    expect(await panel.getByText('Another step is already called first').count()).toBe(1);
    await id.fill('second');
    await expect.poll(() => invalid(id)).toBe(false);

    await page.getByRole('tab', { name: 'Workflow', exact: true }).click();
    const workflow = page.getByRole('region', { name: 'Workflow settings', exact: true });
    const runTimeout = workflow.getByLabel('Run timeout', { exact: true });
    await runTimeout.fill('2 hours');
    await expect.poll(() => invalid(runTimeout)).toBe(true);
    await runTimeout.fill('2h');
    await expect.poll(() => invalid(runTimeout)).toBe(false);
    // Checked as typed; studio's reason (bad_webhook_url) takes its place when it answers.
    const webhook = workflow.getByLabel('Completion webhook', { exact: true });
    await webhook.fill('ftp://example.com/done');
    await expect.poll(() => invalid(webhook)).toBe(true);
    await webhook.fill('https://example.com/done');
    await expect.poll(() => invalid(webhook), { timeout: 20_000 }).toBe(false);
  }, 60_000);

  it('reads a schedule\'s cron in words', async () => {
    const page = await openEditor();
    await page.locator('[data-node="trigger"]').click();
    const panel = page.getByRole('region', { name: 'Trigger settings', exact: true });
    await panel.waitFor();
    await panel.getByRole('combobox', { name: 'Trigger type', exact: true }).click();
    await page.getByRole('option', { name: 'Schedule', exact: true }).click();
    const cron = panel.getByLabel('Cron', { exact: true });
    await cron.fill('*/5 * * * *');
    await expect.poll(() => panel.locator('[data-cron-reading]').getAttribute('data-cron-reading')).toBe('Every 5 minutes');
    await browsing.screenshot(page, 'editor-trigger-panel');
    await cron.fill('@daily');
    await expect.poll(() => panel.locator('[data-cron-reading]').innerText()).toMatch(/^Not a valid schedule/);
  }, 60_000);

  it('declares an HTTP trigger\'s inputs, which steps can then read', async () => {
    const page = await openEditor();
    await page.getByRole('tab', { name: 'Trigger', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Trigger settings', exact: true });
    await panel.getByRole('combobox', { name: 'Trigger type', exact: true }).click();
    await page.getByRole('option', { name: 'HTTP', exact: true }).click();
    await panel.getByLabel('HTTP path', { exact: true }).fill('sizes/add');
    expect(await panel.locator('[data-http-url]').innerText()).toMatch(/\/user-api\/default\/sizes\/add$/);
    // The manual trigger's declarations are kept; one more: an integer.
    await panel.getByRole('button', { name: 'Add an input', exact: true }).click();
    const row = panel.getByRole('group', { name: 'Input 4', exact: true });
    await row.getByLabel('Input name', { exact: true }).fill('size');
    const added = panel.getByRole('group', { name: 'Input size', exact: true });
    await added.getByRole('combobox', { name: 'Input type', exact: true }).click();
    await page.getByRole('option', { name: 'integer', exact: true }).click();
    await panel.getByRole('button', { name: 'Remove input loud', exact: true }).click();
    expect(await panel.getByRole('group', { name: /^Input / }).count()).toBe(3);

    const step = await selectStep(page, 'second');
    await step.getByRole('button', { name: 'Reference for n', exact: true }).click();
    await options(page).first().waitFor();
    const offers = await offered(page);
    expect(offers).toMatchObject({ 'trigger.size': true, 'trigger.count': true, 'trigger.word': false });
    expect(Object.keys(offers)).not.toContain('trigger.loud');
  }, 60_000);

  it('gives a wait step its signal, timeout and what a timeout does, and no inputs', async () => {
    const page = await openEditor();
    const panel = await selectStep(page, 'approve');
    expect(await panel.getByLabel('Signal', { exact: true }).inputValue()).toBe('approved');
    const timeout = panel.getByLabel('Timeout', { exact: true });
    expect(await timeout.inputValue()).toBe('2d');
    await timeout.fill('two days');
    await expect.poll(() => invalid(timeout)).toBe(true);
    await timeout.fill('2d');
    await expect.poll(() => invalid(timeout)).toBe(false);
    expect(await panel.getByRole('combobox', { name: 'On timeout', exact: true }).count()).toBe(1);
    expect(await panel.getByRole('region', { name: 'Inputs', exact: true }).count()).toBe(0);
    expect(await panel.getByLabel('For each', { exact: true }).count()).toBe(0);
    expect(await panel.getByRole('combobox', { name: 'Needs', exact: true }).count()).toBe(1);
  }, 60_000);

  it('uploads a file for a file input and gives it as { file: <id> }', async () => {
    const page = await openEditor();
    const panel = await selectStep(page, 'count');
    const field = panel.locator('[data-field="document"]');
    expect(await field.locator('[data-type]').innerText()).toBe('file');
    await expect.poll(() => invalid(panel.getByLabel('document', { exact: true })), { timeout: 20_000 }).toBe(true);
    await field.locator('input[type="file"]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('two words\nthree more words\n') });
    const stored = field.locator('[data-file-id]');
    await stored.waitFor({ timeout: 20_000 });
    const fileId = await stored.getAttribute('data-file-id');
    const { api } = browsing.behind;
    const token = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token as string;
    expect((await api('GET', `/studio/files/${fileId}`, { token })).body).toMatchObject({ name: 'notes.txt', content_type: 'text/plain' });
    // Studio knows the file: the required input's problem goes.
    await expect.poll(() => invalid(panel.getByLabel('document', { exact: true })), { timeout: 20_000 }).toBe(false);
  }, 60_000);

  it('offers results every reference but secrets', async () => {
    const page = await openEditor();
    await page.getByRole('tab', { name: 'Results', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Results', exact: true });
    await panel.getByRole('button', { name: 'Add a result', exact: true }).click();
    await panel.getByLabel('Result name', { exact: true }).fill('total');
    await panel.getByRole('button', { name: 'Reference for total', exact: true }).click();
    await options(page).first().waitFor();
    const offers = Object.keys(await offered(page));
    expect(offers).toEqual(expect.arrayContaining(['trigger.count', 'steps.first.n', 'steps.shout.text', 'steps.count.words', 'vars.LIMIT']));
    expect(offers.filter((text) => text.startsWith('secrets.'))).toEqual([]);
    await page.getByRole('option', { name: 'steps.count.words', exact: true }).click();
    await expect.poll(() => panel.getByLabel('total', { exact: true }).inputValue()).toBe('${{ steps.count.words }}');
  }, 60_000);

  it('shows a viewer every field, none of which can be changed', async () => {
    const page = await openEditor(VIEWER);
    const panel = await selectStep(page, 'first');
    const n = panel.getByLabel('n', { exact: true });
    await expect.poll(() => n.inputValue()).toBe('${{ trigger.count }}');
    expect(await n.getAttribute('readonly')).not.toBeNull();
    expect(await panel.getByLabel('Step id', { exact: true }).getAttribute('readonly')).not.toBeNull();
    expect(await panel.getByRole('button', { name: 'Reference for n', exact: true }).isDisabled()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Clear n', exact: true }).count()).toBe(0);
    expect(await panel.getByRole('combobox', { name: 'On failure', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('tab', { name: 'Trigger', exact: true }).click();
    const trigger = page.getByRole('region', { name: 'Trigger settings', exact: true });
    expect(await trigger.getByRole('combobox', { name: 'Trigger type', exact: true }).isDisabled()).toBe(true);
    expect(await trigger.getByRole('button', { name: 'Add an input', exact: true }).count()).toBe(0);
  }, 60_000);

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
