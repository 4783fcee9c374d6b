// The runs pages in the browser against a real instance: a workflow deployed through the API
// (a test-made action that talks for a while and fails when told, and make-archive for a file
// output) is started from its generated form, its run turns green live with its graph, timeline,
// outputs (a file downloaded) and logs; a run failing live turns red without a reload, with its
// error; "Re-run from failed" makes a new run; the list shows them, filters them, takes a new run
// live, and the pages fit a 420 px wide screen.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/e2e/harness.js';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { ADMIN_PASSWORD, buildActions, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let repo: TestRepository;
let token: string;
let workflowId: string;
let countWordsId: string;
let approvalId: string;

const TALK = {
  'actions/talk/package.json': '{ "name": "trellis-test-talk", "private": true, "type": "module" }\n',
  'actions/talk/trellis.yaml': `apiVersion: trellis.dev/v1
kind: Processor
id: talk
version: 1.0.0
name: Talk
description: Says a line every 200 ms for a while, then answers its text in capitals, or fails when told to.
runtime: nodejs
handler: handler.js
categories: [testing]
inputs:
  - { name: text, type: string, help: What to say }
  - { name: seconds, type: float, default: 0, help: How long to talk }
  - { name: fail, type: boolean, default: false, help: Fail at the end }
outputs:
  - { name: said, type: string, help: The text in capitals }
resources: { cpu: 0.1, memory: 64Mi, timeout: 60s }
`,
  'actions/talk/handler.js': `class ActionError extends Error {
  constructor(message, code) { super(message); this.name = 'ActionError'; this.code = code; }
}

export async function handle(inputs) {
  const end = Date.now() + inputs.seconds * 1000;
  let ticks = 0;
  do {
    ticks += 1;
    console.log(\`tick \${ticks}: \${inputs.text}\`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < end);
  if (inputs.fail) throw new ActionError(\`told to fail after \${ticks} ticks\`, 'told_to_fail');
  return { said: inputs.text.toUpperCase() };
}
`,
};

const WORKFLOW = {
  apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'talkative', title: 'Talkative',
  trigger: {
    type: 'manual',
    inputs: [
      { name: 'text', type: 'string', help: 'What to say' },
      { name: 'seconds', type: 'float', default: 0.5, help: 'How long the first step talks' },
      { name: 'fail', type: 'boolean', default: false, help: 'Make the first step fail' },
      { name: 'mood', type: 'enum', values: ['calm', 'loud'], default: 'calm', help: 'Said at the end' },
      { name: 'lines', type: 'longstring', default: 'one\ntwo', help: 'One file per line' },
    ],
  },
  steps: [
    { id: 'talk', action: 'talk', inputs: { text: '${{ trigger.text }}', seconds: '${{ trigger.seconds }}', fail: '${{ trigger.fail }}' } },
    { id: 'archive', action: 'make-archive', inputs: { lines: '${{ trigger.lines }}' } },
    { id: 'answer', action: 'talk', inputs: { text: '${{ steps.talk.said }} (${{ trigger.mood }})' } },
  ],
  results: { said: '${{ steps.answer.said }}' },
};

const COUNT_WORDS = {
  apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'count-words', title: 'Count words',
  trigger: { type: 'manual', inputs: [{ name: 'document', type: 'file', help: 'A text file' }] },
  steps: [{ id: 'count', action: 'word-count', inputs: { document: '${{ trigger.document }}' } }],
  results: { words: '${{ steps.count.words }}' },
};

const APPROVAL = {
  apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'approval', title: 'Approval',
  trigger: { type: 'manual' },
  steps: [
    { id: 'each', action: 'talk', foreach: ['first', 'second'], inputs: { text: '${{ item }}' } },
    { id: 'approve', needs: ['each'], wait: { signal: 'approved' } },
  ],
  results: { said: '${{ steps.each.said }}' },
};

async function deploy(document: object): Promise<string> {
  const { api } = browsing.behind;
  const created = await api('POST', '/studio/workflows', { token, json: document });
  expect(created.status, created.text).toBe(201);
  const id = created.body.id as string;
  const deployed = await api('POST', `/studio/workflows/${id}/deploy`, { token });
  expect(deployed.status, deployed.text).toBe(202);
  await eventually(() => api('GET', `/studio/workflows/${id}`, { token }), (answer) => answer.body?.deployment?.status === 'deployed', 120_000);
  return id;
}

beforeAll(async () => {
  browsing = await startBrowsing();
  const { api } = browsing.behind;
  token = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token as string;
  repo = await makeTestRepository();
  await repo.copyExample('make-archive', 'actions/make-archive');
  await repo.copyExample('word-count', 'actions/word-count');
  await repo.commit(TALK, 'three actions');
  await buildActions(browsing, token, { name: 'runs', url: repo.fileUrl }, ['talk', 'make-archive', 'word-count'], 180_000);
  [workflowId, countWordsId, approvalId] = await Promise.all([deploy(WORKFLOW), deploy(COUNT_WORDS), deploy(APPROVAL)]);
}, 400_000);
afterAll(async () => {
  await browsing?.stop();
  await repo?.close();
});

const runIdOf = (page: Page) => /\/runs\/([^/?]+)/.exec(page.url())?.[1] ?? '';
const nodeStatuses = (page: Page) => page.getByRole('region', { name: 'Run graph' }).locator('[data-step-id][data-status]')
  .evaluateAll((nodes) => Object.fromEntries(nodes.map((node) => [node.getAttribute('data-step-id'), node.getAttribute('data-status')])));
const runStatus = (page: Page) => page.locator('[data-run-status]').getAttribute('data-run-status');
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

async function openStep(page: Page, step: string, tab: string) {
  await page.getByRole('region', { name: 'Steps' }).locator(`[data-step="${step}"]`).click();
  const panel = page.getByRole('region', { name: `Step ${step}` });
  await panel.getByRole('tab', { name: tab }).click();
  return panel;
}

let succeededRun = '';
let failedRun = '';
let rerun = '';

describe('the runs pages', () => {
  it('starts a run from the form generated from the trigger\'s inputs, and watches it turn green', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByRole('button', { name: 'Start a run' }).click();
    await page.getByRole('menuitem', { name: 'Talkative' }).click();
    await page.getByRole('heading', { name: 'Start a run' }).waitFor();
    // One field per input, labelled by its name, of its type, defaults prefilled.
    expect(await page.getByLabel('seconds', { exact: true }).inputValue()).toBe('0.5');
    expect(await page.getByRole('switch', { name: 'fail' }).isChecked()).toBe(false);
    expect(await page.getByRole('textbox', { name: 'lines', exact: true }).evaluate((node) => node.tagName)).toBe('TEXTAREA');
    expect(await page.getByRole('textbox', { name: 'mood', exact: true }).or(page.getByRole('combobox', { name: 'mood' })).inputValue()).toBe('calm');
    // A required field left empty is refused before anything is sent.
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByText('Required', { exact: true }).waitFor();
    await page.getByLabel('text', { exact: true }).fill('hello runs');
    await browsing.screenshot(page, 'start-run');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/app\/runs\/[0-9a-f-]{36}$/);
    succeededRun = runIdOf(page);
    await expect.poll(() => runStatus(page), { timeout: 60_000, interval: 500 }).toBe('succeeded');
    await expect.poll(() => nodeStatuses(page)).toEqual({ talk: 'succeeded', archive: 'succeeded', answer: 'succeeded' });
    expect(await page.getByRole('region', { name: 'Results' }).innerText()).toContain('HELLO RUNS (CALM)');
    const bars = page.getByRole('region', { name: 'Timeline' }).locator('[data-bar-step]');
    expect(await bars.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-bar-step')).sort())).toEqual(['answer', 'archive', 'talk']);
    expect(await page.getByRole('region', { name: 'Timeline' }).innerText()).toMatch(/talk · succeeded · \d/);
    await browsing.screenshot(page, 'run');

    // A step's outputs and logs; a file output downloads through the SDK.
    let panel = await openStep(page, 'talk', 'Outputs');
    await expect.poll(() => panel.innerText()).toContain('HELLO RUNS');
    await panel.getByRole('tab', { name: 'Logs' }).click();
    await expect.poll(() => panel.innerText()).toContain('tick 1: hello runs');
    await panel.getByRole('tab', { name: 'Attempts' }).click();
    expect(await panel.locator('[data-attempt="1"] [data-status]').getAttribute('data-status')).toBe('succeeded');
    panel = await openStep(page, 'archive', 'Outputs');
    const download = page.waitForEvent('download');
    await panel.getByRole('button', { name: /^Download / }).click();
    expect((await download).suggestedFilename()).not.toBe('');
    // The graph selects a step too.
    await page.getByRole('region', { name: 'Run graph' }).locator('[data-step-id="answer"]').click();
    await page.getByRole('region', { name: 'Step answer' }).waitFor();
  }, 120_000);

  it('shows a run failing live: its step turns red with the error, without a reload; re-run from failed makes a new run', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto(`/app/workflows/${workflowId}/run`);
    await page.getByLabel('text', { exact: true }).fill('doomed');
    await page.getByLabel('seconds', { exact: true }).fill('4');
    await page.getByRole('switch', { name: 'fail' }).check();
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/app\/runs\/[0-9a-f-]{36}$/);
    failedRun = runIdOf(page);
    await expect.poll(async () => (await nodeStatuses(page)).talk, { timeout: 30_000, interval: 250 }).toBe('running');
    expect(await page.getByRole('button', { name: 'Cancel', exact: true }).isVisible()).toBe(true);
    // The logs come while the step runs.
    const panel = await openStep(page, 'talk', 'Logs');
    await expect.poll(() => panel.innerText(), { timeout: 10_000, interval: 200 }).toContain('tick 2: doomed');
    expect((await nodeStatuses(page)).talk).toBe('running');
    // Then it fails, and the page follows.
    await expect.poll(async () => (await nodeStatuses(page)).talk, { timeout: 30_000, interval: 250 }).toBe('failed');
    await expect.poll(() => runStatus(page), { timeout: 30_000 }).toBe('failed');
    expect(await page.locator('[data-run-error]').innerText()).toMatch(/told_to_fail[\s\S]*told to fail after \d+ ticks/);
    expect(await panel.locator('[data-error-code]').getAttribute('data-error-code')).toBe('told_to_fail');
    await panel.getByRole('tab', { name: 'Attempts' }).click();
    expect(await panel.getByRole('table', { name: 'Attempts' }).innerText()).toMatch(/told_to_fail/);
    expect(await page.getByRole('button', { name: 'Cancel', exact: true }).count()).toBe(0);
    await browsing.screenshot(page, 'run-failed');

    await page.getByRole('button', { name: 'Re-run from failed' }).click();
    await expect.poll(() => runIdOf(page)).not.toBe(failedRun);
    rerun = runIdOf(page);
    await expect.poll(() => page.getByText(`re-run of ${failedRun.slice(0, 8)}`).count()).toBe(1);
    await expect.poll(() => runStatus(page), { timeout: 60_000, interval: 500 }).toBe('failed');
  }, 150_000);

  it('lists the runs, filters them by status and workflow, and shows a new run without a reload', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto('/app/runs');
    const table = page.getByRole('table', { name: 'Runs' });
    const rows = table.locator('tr[data-run-id]');
    const ids = () => rows.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-run-id')));
    await expect.poll(ids).toEqual([rerun, failedRun, succeededRun]);
    expect(await table.locator(`tr[data-run-id="${succeededRun}"] [data-status]`).getAttribute('data-status')).toBe('succeeded');
    expect(await table.locator(`tr[data-run-id="${succeededRun}"]`).innerText()).toMatch(/talkative[\s\S]*manual/);

    // Times: none from a day in the future; all again once cleared.
    await page.getByLabel('From', { exact: true }).fill('2099-01-01T00:00');
    await expect.poll(ids).toEqual([]);
    await page.getByText('No run matches these filters', { exact: false }).waitFor();
    await page.getByLabel('From', { exact: true }).fill('');
    await expect.poll(ids).toEqual([rerun, failedRun, succeededRun]);

    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'failed', exact: true }).click();
    await expect.poll(ids).toEqual([rerun, failedRun]);
    await browsing.screenshot(page, 'runs');
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'succeeded', exact: true }).click();
    await expect.poll(ids).toEqual([succeededRun]);

    // A run started elsewhere appears, and turns green, while the list is open.
    const started = await browsing.behind.api('POST', `/runner/workflows/${workflowId}/runs`, { token, json: { inputs: { text: 'from elsewhere', seconds: 0 } } });
    expect(started.status, started.text).toBe(202);
    await expect.poll(ids, { timeout: 30_000, interval: 500 }).toEqual([started.body.run_id, succeededRun]);

    await page.getByRole('combobox', { name: 'Workflow' }).click();
    await page.getByRole('option', { name: 'talkative' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('workflow')).toBe(workflowId);
    await expect.poll(ids).toEqual([started.body.run_id, succeededRun]);
    await table.getByRole('link', { name: `Run ${succeededRun} of talkative` }).click();
    await page.waitForURL(`**/app/runs/${succeededRun}`);
  }, 90_000);

  // A file input goes as a part of a multipart form; the runner keeps it under the new run.
  it('starts a run with a file input from the form, and the step reads the file', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto(`/app/workflows/${countWordsId}/run`);
    await page.getByLabel('document', { exact: true }).setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('three little words\n') });
    const started = page.waitForResponse((response) => response.url().endsWith(`/runner/workflows/${countWordsId}/runs`));
    await page.getByRole('button', { name: 'Start run' }).click();
    const answer = await started;
    expect(answer.status()).toBe(202);
    expect(answer.request().headers()['content-type']).toMatch(/^multipart\/form-data/);
    await page.waitForURL('**/app/runs/*');
    await expect.poll(() => runStatus(page), { timeout: 30_000, interval: 250 }).toBe('succeeded');
    expect(await page.getByRole('region', { name: 'Results' }).innerText()).toMatch(/words[\s\S]*3/);
    await page.goto(`/app/workflows/${countWordsId}/run`);
    const refused = page.waitForResponse((response) => response.url().endsWith(`/runner/workflows/${countWordsId}/runs`));
    await page.getByRole('button', { name: 'Start run' }).click();
    // The form itself asks for the required file first; nothing is sent.
    await expect.poll(() => page.locator('[data-input="document"]').evaluate((input) => input.getAttribute('aria-invalid'))).toBe('true');
    expect(await Promise.race([refused.then(() => 'sent'), new Promise((resolve) => setTimeout(() => resolve('not sent'), 1000))])).toBe('not sent');
  }, 60_000);

  it('cancels a running run', async () => {
    const started = await browsing.behind.api('POST', `/runner/workflows/${workflowId}/runs`, { token, json: { inputs: { text: 'long', seconds: 30 } } });
    expect(started.status, started.text).toBe(202);
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto(`/app/runs/${started.body.run_id}`);
    await expect.poll(async () => (await nodeStatuses(page)).talk, { timeout: 30_000, interval: 250 }).toBe('running');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => runStatus(page), { timeout: 20_000, interval: 250 }).toBe('canceled');
    await page.getByRole('button', { name: 'Re-run', exact: true }).waitFor();
  }, 60_000);

  it('reads a foreach step\'s logs item by item, and sends a waiting step its signal', async () => {
    const started = await browsing.behind.api('POST', `/runner/workflows/${approvalId}/runs`, { token, json: {} });
    expect(started.status, started.text).toBe(202);
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto(`/app/runs/${started.body.run_id}`);
    await expect.poll(async () => (await nodeStatuses(page)).approve, { timeout: 30_000, interval: 250 }).toBe('running');
    // Keyboard: the steps list is reached and used without a mouse.
    await page.getByRole('region', { name: 'Steps' }).locator('[data-step="each"]').focus();
    await page.keyboard.press('Enter');
    const each = page.getByRole('region', { name: 'Step each' });
    await each.getByRole('tab', { name: 'Logs' }).click();
    await expect.poll(() => each.innerText()).toContain('tick 1: first');
    await each.getByRole('textbox', { name: 'Item' }).or(each.getByRole('combobox', { name: 'Item' })).click();
    await page.getByRole('option', { name: '1', exact: true }).click();
    await expect.poll(() => each.innerText()).toContain('tick 1: second');

    await openStep(page, 'approve', 'Inputs');
    const approve = page.getByRole('region', { name: 'Step approve' });
    await approve.getByLabel('Signal payload', { exact: true }).fill('[1]');
    await approve.getByRole('button', { name: 'Send signal approved' }).click();
    await approve.getByText('A JSON object', { exact: false }).first().waitFor();
    await approve.getByLabel('Signal payload', { exact: true }).fill('{"by": "me"}');
    await approve.getByRole('button', { name: 'Send signal approved' }).click();
    await expect.poll(() => runStatus(page), { timeout: 20_000, interval: 250 }).toBe('succeeded');
    await approve.getByRole('tab', { name: 'Outputs' }).click();
    await expect.poll(() => approve.innerText()).toContain('"me"');
    expect(await page.getByRole('region', { name: 'Results' }).innerText()).toMatch(/FIRST[\s\S]*SECOND/);
  }, 60_000);

  it('fits a 420 px wide screen: the list and a run\'s page', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.setViewportSize({ width: 420, height: 900 });
    await page.goto('/app/runs');
    await page.locator(`tr[data-run-id="${failedRun}"]`).waitFor();
    expect(await pageWidth(page)).toBeLessThanOrEqual(420);
    await browsing.screenshot(page, 'runs-narrow');
    await page.goto(`/app/runs/${failedRun}?step=talk`);
    await page.getByRole('region', { name: 'Step talk' }).waitFor();
    await expect.poll(() => nodeStatuses(page)).toEqual({ talk: 'failed', archive: 'succeeded', answer: expect.stringMatching(/pending|canceled|skipped/) });
    expect(await pageWidth(page)).toBeLessThanOrEqual(420);
    await browsing.screenshot(page, 'run-narrow');
  }, 60_000);

  it('shows a large output only when asked', async () => {
    const started = await browsing.behind.api('POST', `/runner/workflows/${workflowId}/runs`, { token, json: { inputs: { text: 'x'.repeat(70_000), seconds: 0 } } });
    expect(started.status, started.text).toBe(202);
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto(`/app/runs/${started.body.run_id}`);
    await expect.poll(() => runStatus(page), { timeout: 30_000, interval: 250 }).toBe('succeeded');
    const panel = await openStep(page, 'talk', 'Outputs');
    await panel.getByRole('button', { name: 'Show the value' }).click();
    await expect.poll(() => panel.innerText()).toContain('X'.repeat(1000));
  }, 60_000);

  // Last: the runs it starts push the earlier ones past the first page.
  it('pages the list with Load more', async () => {
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(Array.from({ length: 10 }, async () => {
        const started = await browsing.behind.api('POST', `/runner/workflows/${workflowId}/runs`, { token, json: { inputs: { text: 'many', seconds: 0 } } });
        expect(started.status, started.text).toBe(202);
      }));
    }
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto('/app/runs');
    const rows = page.getByRole('table', { name: 'Runs' }).locator('tr[data-run-id]');
    await expect.poll(() => rows.count()).toBe(50);
    expect(await page.locator(`tr[data-run-id="${succeededRun}"]`).count()).toBe(0);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(50);
    await page.locator(`tr[data-run-id="${succeededRun}"]`).waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  }, 90_000);

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
