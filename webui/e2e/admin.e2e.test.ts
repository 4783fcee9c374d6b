// The administration in the browser against a real instance: users created, their password
// reset and their account disabled; projects created, renamed and deleted (typing the name);
// the audit log lists those actions, filters them and pages with "Load more"; a person who is
// no administrator has no entry for it and is told "not allowed".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let admin: string;

beforeAll(async () => {
  browsing = await startBrowsing();
  const { api } = browsing.behind;
  const login = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body as { access_token: string; project_id: string };
  admin = login.access_token;
  expect((await api('POST', '/authorization/users', { token: admin, json: { username: 'erin', password: 'erin has a long password' } })).status).toBe(201);
  expect((await api('POST', `/authorization/projects/${login.project_id}/members`, { token: admin, json: { username: 'erin', role: 'developer' } })).status).toBe(201);
  // More entries than one page of the audit log holds (50), so "Load more" has a page to read.
  for (let index = 0; index < 55; index += 1) await api('PATCH', '/authorization/me', { token: admin, json: { display_name: `Admin ${index}` } });
}, 120_000);
afterAll(() => browsing?.stop());

const logInAs = (username: string, password: string) => api('POST', '/authorization/login', { json: { username, password } });
const api = (...args: Parameters<Browsing['behind']['api']>) => browsing.behind.api(...args);

describe('the administration', () => {
  it('creates a user, resets their password and disables them', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Administration', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create user', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Username', { exact: true }).fill('frank');
    await dialog.getByLabel('Password', { exact: true }).fill('short');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => dialog.innerText()).toContain('at least');
    await dialog.getByLabel('Password', { exact: true }).fill('frank has a first password');
    await dialog.getByRole('switch', { name: 'Administrator' }).check();
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Users' }).locator('[data-user="frank"]');
    await expect.poll(() => row.locator('[data-admin]').getAttribute('data-admin')).toBe('true');
    expect((await logInAs('frank', 'frank has a first password')).status).toBe(200);

    await page.getByRole('button', { name: 'Reset password of frank', exact: true }).click();
    await dialog.getByLabel('New password', { exact: true }).fill('frank has a second password');
    await dialog.getByRole('button', { name: 'Reset password', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await logInAs('frank', 'frank has a first password')).status).toBe(401);
    expect((await logInAs('frank', 'frank has a second password')).status).toBe(200);

    await page.getByRole('button', { name: 'Disable frank', exact: true }).click();
    await expect.poll(() => row.locator('[data-status]').getAttribute('data-status')).toBe('disabled');
    expect((await logInAs('frank', 'frank has a second password')).status).not.toBe(200);
    // Nobody deletes or disables themselves here.
    expect(await page.getByRole('button', { name: /^(Delete|Disable) admin$/ }).count()).toBe(0);
  });

  it('deletes a user once their username is typed', async () => {
    const { api } = browsing.behind;
    expect((await api('POST', '/authorization/users', { token: admin, json: { username: 'gone', password: 'soon to be deleted' } })).status).toBe(201);
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto('/app/admin');
    const row = page.getByRole('table', { name: 'Users' }).locator('[data-user="gone"]');
    await row.waitFor();
    await page.getByRole('button', { name: 'Delete gone', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Type gone to confirm').fill('gone');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    expect((await api('GET', '/authorization/users', { token: admin })).body.items.map((user: { username: string }) => user.username)).not.toContain('gone');
  });

  it('creates a project, renames it, and deletes one only once its name is typed', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto('/app/admin?tab=projects');
    const table = page.getByRole('table', { name: 'Projects' });
    for (const name of ['payments', 'doomed']) {
      await page.getByRole('button', { name: 'Create project', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name', { exact: true }).fill(name);
      await dialog.getByLabel('Title', { exact: true }).fill(`The ${name} team`);
      await dialog.getByRole('button', { name: 'Create', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      await table.locator(`[data-project="${name}"]`).waitFor();
    }
    await page.getByRole('button', { name: 'Rename payments', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Title', { exact: true }).fill('Payments');
    await page.getByRole('dialog').getByRole('button', { name: 'Rename', exact: true }).click();
    await expect.poll(() => table.locator('[data-project="payments"]').innerText()).toContain('Payments');

    await page.getByRole('button', { name: 'Delete doomed', exact: true }).click();
    const confirm = page.getByRole('dialog').getByRole('button', { name: 'Delete project', exact: true });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByRole('dialog').getByLabel('Type doomed to confirm').fill('doomed');
    await confirm.click();
    await table.locator('[data-project="doomed"]').waitFor({ state: 'detached' });
    const projects = await api('GET', '/authorization/projects', { token: admin });
    expect(projects.body.items.map((project: { name: string }) => project.name).sort()).toEqual(['default', 'payments']);
  });

  it('lists those actions in the audit log, filters them and loads more', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto('/app/admin?tab=audit');
    const table = page.getByRole('table', { name: 'Audit log' });
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Load more', exact: true }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(50);

    await page.getByRole('combobox', { name: 'Action', exact: true }).click();
    await page.getByRole('option', { name: 'project created', exact: true }).click();
    await expect.poll(() => rows.evaluateAll((nodes) => nodes.map((node) => node.querySelector('[data-target]')?.textContent))).toEqual(['project doomed', 'project payments', 'project default']);
    expect(await rows.first().innerText()).toMatch(/admin\s+project created\s+project doomed\s+success/i);
    await page.getByRole('combobox', { name: 'Action', exact: true }).click();
    await page.getByRole('option', { name: 'user created', exact: true }).click();
    await expect.poll(() => rows.evaluateAll((nodes) => nodes.map((node) => node.querySelector('[data-target]')?.textContent))).toEqual(['user gone', 'user frank', 'user erin', 'user admin']);
    await page.getByRole('combobox', { name: 'Action', exact: true }).click();
    await page.getByRole('option', { name: 'project deleted', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Load more', exact: true }).count()).toBe(0);

    await page.getByRole('combobox', { name: 'Action', exact: true }).click();
    await page.getByRole('option', { name: 'user updated', exact: true }).click();
    await page.getByRole('combobox', { name: 'Actor', exact: true }).click();
    await page.getByRole('option', { name: 'frank', exact: true }).click();
    // frank was reset and disabled: two updates of him by admin.
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByRole('combobox', { name: 'Action', exact: true }).click();
    await page.getByRole('option', { name: 'project created', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(0);
    await page.getByRole('button', { name: 'Clear filters', exact: true }).click();
    // Time: nothing happened after next year; everything happened before it.
    await page.getByLabel('From', { exact: true }).fill(`${new Date().getFullYear() + 1}-01-01T00:00`);
    await page.getByText('No entry matches these filters.').waitFor();
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByLabel('Until', { exact: true }).fill(`${new Date().getFullYear() + 1}-01-01T00:00`);
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Clear filters', exact: true }).click();
    // Unfiltered again: the pages read before (two) come back.
    await expect.poll(() => rows.count()).toBeGreaterThan(50);
    await browsing.screenshot(page, 'admin-audit');
  });

  it('is not for a person who is no administrator: no entry, and "not allowed"', async () => {
    const page = await browsing.newPage();
    await logIn(page, 'erin', 'erin has a long password');
    await page.getByRole('link', { name: 'Project settings' }).waitFor();
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);
    await page.goto('/app/admin');
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/not allowed/i);
    expect(await page.getByRole('table', { name: 'Users' }).count()).toBe(0);
  });

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
