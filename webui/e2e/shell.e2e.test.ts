// The frame of the web UI against a real instance: logging in (a wrong password says so), the
// session kept across a reload, the project switcher, logging out, a narrow screen, and no
// console error on the way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let second: string;

beforeAll(async () => {
  browsing = await startBrowsing();
  const { api } = browsing.behind;
  const admin = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token as string;
  second = (await api('POST', '/authorization/projects', { token: admin, json: { name: 'second-project' } })).body.id as string;
}, 120_000);
afterAll(() => browsing?.stop());

describe('the web UI\'s frame', () => {
  it('refuses a wrong password with the API\'s reason, and logs in with the right one', async () => {
    const page = await browsing.newPage();
    await page.goto('/app/');
    await page.waitForURL('**/app/login');
    await page.getByLabel('Username', { exact: true }).fill('admin');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('invalid_credentials');
    await browsing.screenshot(page, 'login-refused');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Sections' }).waitFor();
    expect(await page.getByRole('button', { name: 'Account' }).innerText()).toBe('admin');
    await browsing.screenshot(page, 'home');
  });

  it('keeps the session across a reload, switches projects and logs out', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.reload();
    await page.getByRole('navigation', { name: 'Sections' }).waitFor();
    const switcher = page.getByRole('combobox', { name: 'Project' });
    await switcher.click();
    await page.getByRole('option', { name: 'second-project' }).click();
    await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('trellis.session') ?? '{}').tokens?.projectId)).toBe(second);
    await expect.poll(() => switcher.inputValue()).toBe('second-project');
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL('**/app/login');
    expect(await page.evaluate(() => localStorage.getItem('trellis.session'))).toBeNull();
    await page.goto('/app/status');
    await expect.poll(() => page.locator('#summary').innerText(), { timeout: 10_000 }).toBe('5 of 5 services are ready.');
  });

  it('folds the navigation behind a button on a narrow screen', async () => {
    const page = await browsing.newPage({ width: 420, height: 800 });
    await logIn(page).catch(async () => {
      // On a narrow screen the navigation is folded: logged in is when the Navigation button shows.
      await page.getByRole('button', { name: 'Navigation' }).waitFor();
    });
    await page.getByRole('button', { name: 'Navigation' }).click();
    await page.getByRole('link', { name: 'Platform status' }).click();
    await page.waitForURL('**/app/status');
    await browsing.screenshot(page, 'status-narrow');
  });

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
