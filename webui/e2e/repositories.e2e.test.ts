// The repositories pages in the browser against a real instance: a git repository made here with
// two example actions and a manifest with an unknown field (a problem on line 5). A developer adds
// a source through the form (the password is write-only), edits and deletes one, scans, sees the
// actions found and the problem at file:line, builds one and then all, watches the statuses turn
// live and reads a build's log as it is written (a third action's npm dependency comes from a
// registry the test holds, so its build is running for exactly as long as the test needs); a
// viewer sees none of the controls that change.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/e2e/harness.js';
import { nodeAction } from '../../services/action-builder/test/fixtures/actions.js';
import { packNpmPackage, startFakeRegistry, type FakeRegistry } from '../../services/action-builder/test/fixtures/npm-registry.js';
import { makeTestRepository, UNKNOWN_FIELD, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { ADMIN_PASSWORD, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let repo: TestRepository;
let scratch: string;
let registry: FakeRegistry;
let token: string;
let sourcePath: string;

const VIEWER = { username: 'vera', password: 'viewer-password-1' };
const SECRET = 's3cret-token-never-shown';
const BUILD_WAIT = 150_000;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-webui-repos-'));
  registry = await startFakeRegistry({ 'held-shout': { version: '1.0.0', tarball: await packNpmPackage(scratch, 'held-shout', '1.0.0') } });
  registry.hold('held-shout');
  browsing = await startBrowsing({ overrides: (name): Record<string, string> => (name === 'action-builder' ? { TRELLIS_NPM_REGISTRY: registry.url } : {}) });
  const { api } = browsing.behind;
  const login = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body;
  token = login.access_token as string;
  await eventually(() => api('GET', '/repository/project', { token }), (answer) => answer.status === 200);
  // A viewer of the same project, for the last test.
  const viewer = (await api('POST', '/authorization/users', { token, json: VIEWER })).body.id as string;
  expect((await api('POST', `/authorization/projects/${login.project_id as string}/members`, { token, json: { user_id: viewer, role: 'viewer' } })).status).toBeLessThan(300);
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'actions/echo');
  await repo.copyExample('add-one', 'actions/add-one');
  await repo.commit({
    ...Object.fromEntries(Object.entries(UNKNOWN_FIELD).map(([name, content]) => [`broken/field/${name}`, content])),
    ...Object.fromEntries(Object.entries(nodeAction('held-shout', 'held')).map(([name, content]) => [`actions/held/${name}`, content])),
  }, 'three actions and a broken one');
}, 120_000);
afterAll(async () => {
  registry?.release('held-shout');
  await browsing?.stop();
  await repo?.close();
  await registry?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const status = (locator: Locator) => locator.locator('[data-status]').first().getAttribute('data-status');

describe('the repositories pages', () => {
  it('adds a source through the form with write-only credentials, edits it and deletes it after a confirmation', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.getByRole('link', { name: 'Repositories' }).click();
    await page.getByRole('heading', { name: 'Repositories' }).waitFor();
    await page.getByRole('button', { name: 'Add repository' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add repository' });
    const password = dialog.getByLabel('Password or token', { exact: true });
    expect(await password.getAttribute('type')).toBe('password');
    expect(await password.inputValue()).toBe('');
    await dialog.getByLabel('Name', { exact: true }).fill('private');
    await dialog.getByLabel('Git URL', { exact: true }).fill('https://git.example.com/team/actions.git');
    await dialog.getByLabel('Branch', { exact: true }).fill('dev');
    await dialog.getByLabel('Username', { exact: true }).fill('robot');
    await password.fill(SECRET);
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { name: 'private', exact: true }).waitFor();
    expect(await page.getByText('Credentials set (robot)').count()).toBe(1);
    expect(await page.content()).not.toContain(SECRET);
    sourcePath = new URL(page.url()).pathname;
    const id = sourcePath.split('/').pop() as string;
    const answer = await browsing.behind.api('GET', `/repository/sources/${id}`, { token });
    expect(answer.body).toMatchObject({ name: 'private', branch: 'dev', username: 'robot', has_credentials: true });
    expect(answer.text).not.toContain(SECRET);

    // Editing never shows the password back: replacing asks for a new one, empty.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('dialog', { name: 'Edit private' });
    await edit.getByLabel('Branch', { exact: true }).fill('');
    await edit.getByLabel('Replace them').check();
    expect(await edit.getByLabel('Password or token', { exact: true }).inputValue()).toBe('');
    await edit.getByLabel('Keep the stored ones').check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Branch (the default branch)').count()).toBe(1);
    expect((await browsing.behind.api('GET', `/repository/sources/${id}`, { token })).body).toMatchObject({ branch: null, has_credentials: true });

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete private?' }).getByRole('button', { name: 'Delete source' }).click();
    await page.waitForURL('**/app/repositories');
    expect((await browsing.behind.api('GET', `/repository/sources/${id}`, { token })).status).toBe(404);

    await page.getByRole('button', { name: 'Add repository' }).click();
    await dialog.getByLabel('Name', { exact: true }).fill('examples');
    await dialog.getByLabel('Git URL', { exact: true }).fill(repo.fileUrl);
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('heading', { name: 'examples', exact: true }).waitFor();
    sourcePath = new URL(page.url()).pathname;
    await page.getByRole('link', { name: '← Repositories' }).click();

    // A taken name is refused on its field, with the API's reason.
    await page.getByRole('button', { name: 'Add repository' }).click();
    await dialog.getByLabel('Name', { exact: true }).fill('examples');
    await dialog.getByLabel('Git URL', { exact: true }).fill(repo.fileUrl);
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => dialog.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByRole('alert').innerText()).toContain('source_name_taken');
    await browsing.screenshot(page, 'repositories-add-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const sources = page.getByRole('table', { name: 'Sources' });
    await expect.poll(() => sources.getByRole('link').allInnerTexts()).toEqual(['examples']);
    await browsing.screenshot(page, 'repositories');
  });

  it('scans: the actions found, and the problem with its file:line', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto(sourcePath);
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await expect.poll(() => page.locator('[data-scan-status]').getAttribute('data-scan-status'), { timeout: 60_000 }).toBe('done');
    const found = page.getByRole('region', { name: 'Actions found' });
    await expect.poll(() => found.locator('[data-found-action]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-found-action')).sort())).toEqual(['add-one', 'echo', 'held']);
    expect(await found.locator('[data-found-action="echo"]').innerText()).toMatch(/echo[\s\S]*1\.0\.0[\s\S]*Processor[\s\S]*nodejs[\s\S]*Not built/);
    const problem = page.getByRole('region', { name: 'Problems' }).locator('[data-problem-file="broken/field/trellis.yaml"]');
    expect(await problem.innerText()).toMatch(/broken\/field\/trellis\.yaml:5[\s\S]*unknown_field/);
    await browsing.screenshot(page, 'source');
  }, 90_000);

  it('builds one action and watches its status turn built, then builds all and follows a build\'s log live', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto(sourcePath);
    const echo = page.locator('[data-found-action="echo"]');
    await page.getByRole('button', { name: 'Build echo', exact: true }).click();
    await expect.poll(() => status(echo), { timeout: BUILD_WAIT, interval: 500 }).toBe('built');
    const builds = page.getByRole('region', { name: 'Builds' });
    await expect.poll(() => builds.getByRole('link').allInnerTexts(), { timeout: 30_000, interval: 500 }).toEqual(['echo@1.0.0']);
    expect(await status(builds.locator('[data-build]').first())).toBe('succeeded');

    // Build all: held's build waits on its npm dependency (held by the test's registry), so its
    // page opens while it runs: the log is followed live, then the build ends when released.
    await page.getByRole('button', { name: 'Build all', exact: true }).click();
    const held = builds.getByRole('link', { name: 'held@1.0.0' });
    await held.first().waitFor({ timeout: 30_000 });
    const followed = page.waitForRequest((request) => request.url().includes('/logs') && request.headers()['accept'] === 'text/event-stream');
    await held.first().click();
    await page.getByRole('heading', { name: 'Build held@1.0.0' }).waitFor();
    await followed;
    const log = page.getByRole('region', { name: 'Log' }).locator('pre');
    await expect.poll(() => log.innerText(), { timeout: 60_000 }).toContain('$ npm install --package-lock-only');
    expect(await log.getAttribute('data-log-live')).toBe('true');
    // The status comes by the builder's events through the broker, the log by its own stream: the
    // log can show the first command while the page still says queued for a moment.
    await expect.poll(() => page.locator('[data-build-status]').getAttribute('data-build-status'), { timeout: 30_000, interval: 250 }).toBe('running');
    await browsing.screenshot(page, 'build-live');
    registry.release('held-shout');
    await expect.poll(() => page.locator('[data-build-status]').getAttribute('data-build-status'), { timeout: BUILD_WAIT, interval: 500 }).toBe('succeeded');
    await expect.poll(async () => (await log.innerText()).trim().split('\n').length).toBeGreaterThan(2);
    await expect.poll(() => log.getAttribute('data-log-live')).toBe('false');
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await browsing.screenshot(page, 'build');
  }, BUILD_WAIT * 2);

  it('shows a viewer the source and its builds without the controls that change them', async () => {
    const page = await browsing.newPage();
    await logIn(page, VIEWER.username, VIEWER.password);
    await page.goto('/app/repositories');
    const row = page.getByRole('table', { name: 'Sources' }).locator('[data-source="examples"]');
    expect(await row.innerText()).toMatch(/3 actions, 1 problem/);
    expect(await row.locator('[data-scan-status]').getAttribute('data-scan-status')).toBe('done');
    await browsing.screenshot(page, 'repositories-viewer');
    await row.getByRole('link', { name: 'examples' }).click();
    await page.getByRole('heading', { name: 'examples', exact: true }).waitFor();
    await page.locator('[data-found-action="echo"]').waitFor();
    for (const name of ['Scan', 'Build all', 'Build echo', 'Build add-one', 'Edit', 'Delete']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    await page.goto('/app/repositories');
    await page.getByRole('table', { name: 'Sources' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add repository' }).count()).toBe(0);
  });

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
