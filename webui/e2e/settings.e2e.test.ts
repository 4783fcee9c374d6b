// Project settings in the browser against a real instance: variables added, edited and deleted
// (a bad name refused with the API's reason); a secret whose value neither the page nor any
// answer ever shows; an API key shown once, working through the API, then revoked and refused;
// a member added with a role and given another.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/e2e/harness.js';
import { ADMIN_PASSWORD, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let admin: string;
let projectId: string;

beforeAll(async () => {
  // Services remember an accepted API key for at most this long: a revoked key is refused soon after.
  browsing = await startBrowsing({ overrides: () => ({ TRELLIS_API_KEY_CACHE_MS: '1000' }) });
  const { api } = browsing.behind;
  const login = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body as { access_token: string; project_id: string };
  admin = login.access_token;
  projectId = login.project_id;
  expect((await api('POST', '/authorization/users', { token: admin, json: { username: 'dana', password: 'dana has a long password' } })).status).toBe(201);
  // Studio hears of the project through the broker: its settings answer once it has.
  await eventually(() => api('GET', '/studio/variables', { token: admin }), (answer) => answer.status === 200, 30_000);
}, 120_000);
afterAll(() => browsing?.stop());

async function openSettings(tab?: string): Promise<Page> {
  const page = await browsing.newPage();
  await logIn(page);
  await page.getByRole('link', { name: 'Project settings' }).click();
  await page.getByRole('heading', { name: 'Project settings', exact: true }).waitFor();
  if (tab) await page.getByRole('tab', { name: tab, exact: true }).click();
  return page;
}

describe('project settings', () => {
  it('adds a variable (a bad name refused with the API\'s reason), edits it and deletes it', async () => {
    const page = await openSettings();
    expect(await page.getByRole('tab', { name: 'Variables', exact: true }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('button', { name: 'Add variable', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('not a name');
    await dialog.getByLabel('Value', { exact: true }).fill('https://api.example.com');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => dialog.innerText()).toContain('invalid_name');
    await dialog.getByLabel('Name', { exact: true }).fill('API_URL');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Variables' }).locator('[data-variable="API_URL"]');
    await expect.poll(() => row.locator('[data-value]').innerText()).toBe('https://api.example.com');
    await browsing.screenshot(page, 'settings-variables');

    await page.getByRole('button', { name: 'Edit API_URL', exact: true }).click();
    expect(await dialog.getByLabel('Value', { exact: true }).inputValue()).toBe('https://api.example.com');
    await dialog.getByLabel('Value', { exact: true }).fill('{"attempts": 3}');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => row.locator('[data-value]').innerText()).toBe('{"attempts":3}');
    expect((await browsing.behind.api('GET', '/studio/variables/API_URL', { token: admin })).body.value).toEqual({ attempts: 3 });

    await page.getByRole('button', { name: 'Delete API_URL', exact: true }).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    expect((await browsing.behind.api('GET', '/studio/variables/API_URL', { token: admin })).status).toBe(404);
  });

  it('keeps the tab in the address, so a reload stays on it', async () => {
    const page = await openSettings('Members');
    await page.waitForURL('**/app/settings?tab=members');
    await page.reload();
    await page.getByRole('table', { name: 'Members' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Members', exact: true }).getAttribute('aria-selected')).toBe('true');
  });

  it('adds and replaces a secret whose value neither the page nor an answer ever shows', async () => {
    const first = 'correct horse battery staple 7f3a';
    const second = 'rotated value 91c2e';
    const page = await openSettings('Secrets');
    const answers: Promise<string>[] = [];
    page.on('response', (response) => { if (response.url().includes('/studio/secrets')) answers.push(response.text().catch(() => '')); });
    await page.getByRole('button', { name: 'Add secret', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('SMTP_PASSWORD');
    await dialog.getByLabel('Value', { exact: true }).fill(first);
    expect(await dialog.getByLabel('Value', { exact: true }).getAttribute('type')).toBe('password');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Secrets' }).locator('[data-secret="SMTP_PASSWORD"]').waitFor();
    expect(await page.content()).not.toContain(first);

    await page.getByRole('button', { name: 'Replace value of SMTP_PASSWORD', exact: true }).click();
    expect(await dialog.getByLabel('Value', { exact: true }).inputValue()).toBe('');
    await dialog.getByLabel('Value', { exact: true }).fill(second);
    await dialog.getByRole('button', { name: 'Replace', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('table', { name: 'Secrets' }).locator('[data-secret="SMTP_PASSWORD"]').waitFor();
    const html = await page.content();
    expect(html).not.toContain(first);
    expect(html).not.toContain(second);

    const { api } = browsing.behind;
    const list = await api('GET', '/studio/secrets', { token: admin });
    const one = await api('GET', '/studio/secrets/SMTP_PASSWORD', { token: admin });
    expect(list.body.items.map((item: { name: string }) => item.name)).toEqual(['SMTP_PASSWORD']);
    const seen = [...(await Promise.all(answers)), list.text, one.text];
    expect(seen.length).toBeGreaterThan(3);
    for (const text of seen) {
      expect(text).not.toContain(first);
      expect(text).not.toContain(second);
    }
  });

  it('shows a new API key once; it works through the API until it is revoked', async () => {
    const page = await openSettings('API keys');
    await page.getByRole('button', { name: 'Create API key', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('ci deploys');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    const shown = page.locator('[data-api-key-secret]');
    const key = (await shown.innerText()).trim();
    expect(key).toMatch(/^trk_/);
    expect(await page.getByRole('dialog').innerText()).toContain('will not be shown again');
    // The dialog fades in: the screenshot waits until it has.
    await expect.poll(() => page.getByRole('dialog').evaluate((node) => getComputedStyle(node).opacity)).toBe('1');
    await browsing.screenshot(page, 'settings-keys');
    await page.getByRole('button', { name: 'Done', exact: true }).click();
    await shown.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'API keys' }).locator('[data-api-key="ci deploys"]');
    await row.waitFor();
    expect(await row.getAttribute('data-api-key')).toBe('ci deploys');
    expect(await page.content()).not.toContain(key);
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(key);

    const { api } = browsing.behind;
    // Services learn of a key through the broker: it works once they have.
    await eventually(() => api('GET', '/studio/variables', { token: key }), (answer) => answer.status === 200, 30_000);

    await page.getByRole('button', { name: 'Revoke ci deploys', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => row.locator('[data-status]').getAttribute('data-status')).toBe('revoked');
    expect(await page.getByRole('button', { name: 'Revoke ci deploys', exact: true }).count()).toBe(0);
    const refused = await eventually(() => api('GET', '/studio/variables', { token: key }), (answer) => answer.status === 401, 30_000);
    expect(refused.status).toBe(401);
  });

  it('adds a member with a role and changes it', async () => {
    const page = await openSettings('Members');
    await page.getByRole('button', { name: 'Add member', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: 'User', exact: true }).click();
    await page.getByRole('option', { name: 'dana', exact: true }).click();
    await dialog.getByRole('combobox', { name: 'Role', exact: true }).click();
    await page.getByRole('option', { name: 'viewer', exact: true }).click();
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Members' }).locator('[data-member="dana"]');
    await expect.poll(() => row.getAttribute('data-role')).toBe('viewer');

    await page.getByRole('combobox', { name: 'Role of dana', exact: true }).click();
    await page.getByRole('option', { name: 'operator', exact: true }).click();
    await expect.poll(() => row.getAttribute('data-role')).toBe('operator');
    const members = await browsing.behind.api('GET', `/authorization/projects/${projectId}/members`, { token: admin });
    expect(members.body.items.find((member: { username: string }) => member.username === 'dana')?.role).toBe('operator');

    await page.getByRole('button', { name: 'Remove dana', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    const after = await browsing.behind.api('GET', `/authorization/projects/${projectId}/members`, { token: admin });
    expect(after.body.items.map((member: { username: string }) => member.username)).toEqual(['admin']);
  });

  it('changes my display name, and says why a password change is refused', async () => {
    const page = await openSettings('Account');
    await page.getByLabel('Display name', { exact: true }).fill('The Administrator');
    await page.getByRole('button', { name: 'Save name', exact: true }).click();
    await expect.poll(async () => (await browsing.behind.api('GET', '/authorization/me', { token: admin })).body.user.display_name).toBe('The Administrator');
    await page.getByLabel('Current password', { exact: true }).fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('a brand new password');
    await page.getByLabel('New password again', { exact: true }).fill('a brand new password');
    await page.getByRole('button', { name: 'Change password', exact: true }).click();
    await expect.poll(() => page.getByRole('form', { name: 'Change password' }).getByRole('alert').innerText()).toMatch(/\(\w+\)$/);
    expect((await browsing.behind.api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).status).toBe(200);
  });

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
