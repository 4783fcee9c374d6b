// The standard library's source in the browser against a real instance (issue 19): the repository
// service is given a small library of the test's own (one example action committed into a bare
// git repository, passed as TRELLIS_STANDARD_LIBRARY_URL), so every project has the source
// `standard`, managed by Trellis. Its page says so and offers neither Edit nor Delete (the API
// refuses both), while a source a user added keeps them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/e2e/harness.js';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { ADMIN_PASSWORD, logIn, startBrowsing, type Browsing } from './browser.js';

let browsing: Browsing;
let library: TestRepository;

const MANAGED_TEXT = 'managed by Trellis and updated with it';

beforeAll(async () => {
  library = await makeTestRepository();
  await library.copyExample('echo', 'echo');
  await library.commit({}, 'the test\'s standard library: one action');
  browsing = await startBrowsing({ overrides: (name): Record<string, string> => (name === 'repository' ? { TRELLIS_STANDARD_LIBRARY_URL: library.fileUrl } : {}) });
  const { api } = browsing.behind;
  const token = (await api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token as string;
  await eventually(() => api('GET', '/repository/sources', { token }), (answer) => answer.status === 200 && answer.body.items.some((source: { name: string }) => source.name === 'standard'), 60_000);
  // A source of the user's own beside it, through the API as setup.
  const mine = await api('POST', '/repository/sources', { token, json: { name: 'mine', url: library.fileUrl } });
  expect(mine.status, mine.text).toBe(201);
}, 120_000);
afterAll(async () => {
  await browsing?.stop();
  await library?.close();
});

describe('the standard library\'s source', () => {
  it('is listed with the user\'s own; its page says Trellis manages it and offers neither Edit nor Delete', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.getByRole('link', { name: 'Repositories' }).click();
    const sources = page.getByRole('table', { name: 'Sources' });
    await expect.poll(() => sources.getByRole('link').allInnerTexts()).toEqual(expect.arrayContaining(['standard', 'mine']));
    await browsing.screenshot(page, 'repositories-with-standard');

    await sources.locator('[data-source="standard"]').getByRole('link', { name: 'standard' }).click();
    await page.getByRole('heading', { name: 'standard', exact: true }).waitFor();
    await page.getByText(MANAGED_TEXT).waitFor();
    // Trellis scans it on its own: the library's action is found without anyone asking.
    await page.locator('[data-found-action="echo"]').waitFor({ timeout: 60_000 });
    for (const name of ['Edit', 'Delete']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    await browsing.screenshot(page, 'source-standard');
  }, 90_000);

  it('leaves Edit and Delete on a source the user added', async () => {
    const page = await browsing.newPage();
    await logIn(page);
    await page.goto('/app/repositories');
    await page.getByRole('table', { name: 'Sources' }).locator('[data-source="mine"]').getByRole('link', { name: 'mine' }).click();
    await page.getByRole('heading', { name: 'mine', exact: true }).waitFor();
    for (const name of ['Edit', 'Delete']) await page.getByRole('button', { name, exact: true }).waitFor();
    expect(await page.getByText(MANAGED_TEXT).count()).toBe(0);
    await browsing.screenshot(page, 'source-own');
  });

  it('wrote no console error', () => {
    expect(browsing.problems).toEqual([]);
  });
});
