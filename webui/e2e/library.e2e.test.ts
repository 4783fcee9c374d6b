// The library in the browser against a real instance: two example actions built from a git
// repository the test makes appear as cards with their categories; search and a category
// narrow them; an action's page shows its versions and its typed inputs and outputs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { ADMIN_PASSWORD, buildActions, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let repo: TestRepository;

beforeAll(async () => {
  browsing = await startBrowsing();
  const { api } = browsing.behind;
  const token = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token as string;
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'actions/echo');
  await repo.copyExample('uppercase', 'actions/uppercase');
  await repo.commit({}, 'two actions');
  await buildActions(browsing, token, { name: 'examples', url: repo.fileUrl }, ['echo', 'uppercase'], 120_000);
}, 240_000);
afterAll(async () => {
  await browsing?.stop();
  await repo?.close();
});

describe('the library', () => {
  it('lists the built actions; search and categories narrow the list', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.getByRole('link', { name: 'Library' }).click();
    const cards = page.getByRole('list', { name: 'Actions' }).getByRole('listitem');
    await expect.poll(() => cards.count()).toBe(2);
    expect(await page.locator('[data-action="uppercase"]').innerText()).toContain('Turns text into capital letters.');
    await browsing.screenshot(page, 'library');
    await page.getByLabel('Search').fill('capital');
    await expect.poll(() => cards.count()).toBe(1);
    await page.getByLabel('Search').fill('');
    await expect.poll(() => cards.count()).toBe(2);
    await page.getByRole('group', { name: 'Categories' }).getByText('text', { exact: true }).click();
    await expect.poll(() => page.locator('[data-action]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-action')))).toEqual(['uppercase']);
  });

  it('shows an action\'s versions and its inputs and outputs with types and help', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto('/app/library/uppercase');
    await page.getByRole('heading', { name: 'Uppercase' }).waitFor();
    const inputs = page.getByRole('region', { name: 'Inputs' });
    expect(await inputs.locator('[data-port="text"]').innerText()).toMatch(/text\s+string\s+The text to shout/i);
    expect(await page.getByRole('region', { name: 'Outputs' }).locator('[data-port="text"] [data-type]').innerText()).toMatch(/string/i);
    expect(await page.getByRole('textbox', { name: 'Version' }).or(page.getByRole('combobox', { name: 'Version' })).inputValue()).toBe('1.0.0');
    await browsing.screenshot(page, 'action');
  });

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
