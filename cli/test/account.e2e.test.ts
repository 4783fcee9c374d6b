// `trellis project | member | key | var | secret` against a real instance: every command with
// --json parsed, switching projects as whoami sees it, an API key working until it is revoked,
// a viewer refused, unknown names as exit 3, and a secret's value never written anywhere.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/e2e/harness.js';
import { startCliInstance, type CliInstance, type CliOptions, type CliRun } from './instance.js';

let cli: CliInstance;
let adminToken: string;
const SECRET = 's3cr3t-value-9f8e7d';
const outputs: CliRun[] = [];

beforeAll(async () => {
  // The services remember an accepted API key for this long (30 s by default): a revoked key is refused after it.
  cli = await startCliInstance({ overrides: (): Record<string, string> => ({ TRELLIS_API_KEY_CACHE_MS: '1000' }) });
  ({ adminToken } = await cli.loginToNewProject('acct-one'));
}, 120_000);
afterAll(() => cli?.stop());

/** Every run is kept, so the last test can look for the secret in all of them. */
async function trellis(args: readonly string[], options?: CliOptions): Promise<CliRun> {
  const result = await cli.trellis(args, options);
  outputs.push(result);
  return result;
}

async function json<T = any>(args: readonly string[], options?: CliOptions): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = await trellis([...args, '--json'], options);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** A refusal: the exit code, and one line on stderr saying what and what to do. */
function expectRefusal(result: CliRun, exitCode: number, line: RegExp): void {
  expect(result.code, result.stderr).toBe(exitCode);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(line);
}

const configText = () => readFileSync(path.join(cli.configHome, 'trellis', 'config.json'), 'utf8');
const withKey = (key: string): CliOptions => ({ configHome: path.join(cli.scratch, 'no-config'), env: { TRELLIS_URL: cli.url, TRELLIS_API_KEY: key } });

describe('trellis project', () => {
  it('lists your projects with your role, the current one marked', async () => {
    const projects = await json<{ name: string; role: string }[]>(['project', 'list']);
    // The administrator also owns the instance's first project, "default".
    expect(projects).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'acct-one', role: 'owner' }), expect.objectContaining({ name: 'default' })]));
    const human = await trellis(['project', 'list']);
    expect(human.stdout).toMatch(/^NAME|\bNAME\b/m);
    expect(human.stdout).toMatch(/^\*\s+acct-one\s+.*owner/m);
    expect(human.stdout).toMatch(/^\s+default\s+/m);
  });

  it('creates a project and with --use switches to it once every service knows it', async () => {
    const created = await trellis(['project', 'create', 'acct-two', '--title', 'Second', '--use', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'acct-two', title: 'Second', id: expect.any(String) });
    expect(created.stderr).toContain('Waiting for the services to know project acct-two');
    const me = await json(['whoami']);
    expect(me.current_project).toMatchObject({ name: 'acct-two', role: 'owner' });
    expect(JSON.parse(configText()).contexts.default.project).toMatchObject({ name: 'acct-two' });
    // Studio knows it already: a variable can be set at once.
    expect((await trellis(['var', 'set', 'READY', 'yes'])).code).toBe(0);
    const human = await trellis(['project', 'create', 'acct-three']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Created project acct-three');
    expect(human.stdout).toContain('trellis project use acct-three');
  });

  it('refuses a project name taken, in one line', async () => {
    expectRefusal(await trellis(['project', 'create', 'acct-one']), 1, /^trellis: project_name_taken: /);
  });

  it('switches projects: whoami and the saved context follow', async () => {
    const used = await json(['project', 'use', 'acct-one']);
    expect(used).toMatchObject({ name: 'acct-one', role: 'owner' });
    expect((await json(['whoami'])).current_project.name).toBe('acct-one');
    expect(JSON.parse(configText()).contexts.default.project).toMatchObject({ name: 'acct-one' });
    const human = await trellis(['project', 'use', 'acct-two']);
    expect(human.stdout).toContain('Now in project acct-two (owner)');
    expect((await json(['whoami'])).current_project.name).toBe('acct-two');
    await trellis(['project', 'use', 'acct-one']);
  });

  it('says an unknown project is not found (exit 3) and lists every project for an administrator with --all', async () => {
    expectRefusal(await trellis(['project', 'use', 'no-such-project']), 3, /^trellis: project_not_found: .*\(list yours with `trellis project list`\)$/);
    const every = await json<{ name: string }[]>(['project', 'list', '--all']);
    expect(every.map((project) => project.name)).toEqual(expect.arrayContaining(['acct-one', 'acct-two', 'acct-three']));
  });
});

describe('trellis member', () => {
  const password = 'bob-password-123';

  it('adds a user by username with a role, and lists them', async () => {
    const user = await cli.behind.api('POST', '/authorization/users', { token: adminToken, json: { username: 'bob', password, display_name: 'Bob Viewer' } });
    expect(user.status).toBe(201);
    const added = await json(['member', 'add', 'bob', '--role', 'viewer']);
    expect(added).toMatchObject({ user_id: user.body.id, role: 'viewer' });
    const members = await json<{ username: string; role: string }[]>(['member', 'list']);
    expect(members).toEqual(expect.arrayContaining([expect.objectContaining({ username: 'bob', role: 'viewer' }), expect.objectContaining({ username: 'admin', role: 'owner' })]));
    const human = await trellis(['member', 'list']);
    expect(human.stdout).toMatch(/^USERNAME\s+NAME\s+ROLE/m);
    expect(human.stdout).toMatch(/^bob\s+Bob Viewer\s+viewer/m);
  });

  it('says an unknown user is not found (exit 3), and refuses a role it does not know (exit 2)', async () => {
    expectRefusal(await trellis(['member', 'add', 'ghost']), 3, /^trellis: user_not_found: no user "ghost" on this instance \(/);
    const badRole = await trellis(['member', 'add', 'bob', '--role', 'boss']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/^trellis: usage: .*boss.*viewer/);
  });

  it('lets a viewer read the variables and refuses them a change (exit 4, one line)', async () => {
    const bobConfig = path.join(cli.scratch, 'bob-config');
    const login = await trellis(['login', cli.url, '-u', 'bob', '--password-stdin', '--project', 'acct-one'], { stdin: `${password}\n`, configHome: bobConfig });
    expect(login.code, login.stderr).toBe(0);
    expect((await trellis(['var', 'list'], { configHome: bobConfig })).code).toBe(0);
    expectRefusal(await trellis(['var', 'set', 'FROM_BOB', 'x'], { configHome: bobConfig }), 4, /^trellis: forbidden: .*\(ask an owner of the project for a role that allows it\)$/);
    expectRefusal(await trellis(['member', 'add', 'admin', '--role', 'owner'], { configHome: bobConfig }), 4, /^trellis: forbidden: /);
  });

  it('removes a member by username; one who is not there is not found (exit 3)', async () => {
    const removed = await json(['member', 'remove', 'bob']);
    expect(removed).toMatchObject({ username: 'bob', role: 'viewer' });
    expect((await json<{ username: string }[]>(['member', 'list'])).map((member) => member.username)).toEqual(['admin']);
    expectRefusal(await trellis(['member', 'remove', 'bob']), 3, /^trellis: member_not_found: no member "bob" in project acct-one \(list them with `trellis member list`\)$/);
  });
});

describe('trellis key', () => {
  it('creates a key printed once on stdout, with the warning on stderr; the key works as TRELLIS_API_KEY until revoked', { timeout: 60_000 }, async () => {
    const created = await trellis(['key', 'create', 'ci', '--role', 'developer']);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(created.stdout).toBe(`${key}\n`);
    expect(key.length).toBeGreaterThan(20);
    expect(created.stderr).toContain('shown this once');

    const keys = await json<{ name: string; role: string; prefix: string; revoked_at: string | null }[]>(['key', 'list']);
    expect(keys).toEqual([expect.objectContaining({ name: 'ci', role: 'developer', revoked_at: null })]);
    expect(key).toMatch(/^trk_/);
    expect(key).toContain(keys[0]?.prefix);
    expect(JSON.stringify(keys)).not.toContain(key);
    const human = await trellis(['key', 'list']);
    expect(human.stdout).toMatch(/^ci\s+\S+\s+developer\s+active/m);

    await trellis(['var', 'set', 'SEEN_BY_KEY', 'yes']);
    const listed = await json<{ name: string }[]>(['var', 'list'], withKey(key));
    expect(listed.map((variable) => variable.name)).toContain('SEEN_BY_KEY');
    expect((await json(['whoami'], withKey(key))).project.name).toBe('acct-one');
    expectRefusal(await trellis(['project', 'use', 'acct-two'], withKey(key)), 4, /^trellis: user_token_required: an API key works in its own project only/);

    const revoked = await json(['key', 'revoke', 'ci']);
    expect(revoked).toMatchObject({ name: 'ci' });
    const refused = await eventually(() => trellis(['var', 'list'], withKey(key)), (result) => result.code !== 0);
    expectRefusal(refused, 4, /^trellis: unauthenticated: The Bearer credential is not valid/);
    expect((await json<{ revoked_at: string | null }[]>(['key', 'list']))[0]?.revoked_at).not.toBeNull();
    expectRefusal(await trellis(['key', 'revoke', 'ci']), 3, /^trellis: api_key_not_found: .*\(list them with `trellis key list`\)$/);
  });

  it('prints the whole answer, key included, with --json', async () => {
    const created = await trellis(['key', 'create', 'deploy', '--json']);
    expect(created.code).toBe(0);
    const body = JSON.parse(created.stdout);
    expect(body).toMatchObject({ name: 'deploy', role: 'viewer', key: expect.any(String), id: expect.any(String) });
    expect(created.stderr).toContain('shown this once');
    await json(['key', 'revoke', body.id]);
  });
});

describe('trellis var', () => {
  it('sets, replaces, lists and deletes variables', async () => {
    const set = await trellis(['var', 'set', 'GREETING', 'hello world']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Created variable GREETING');
    expect(await json(['var', 'set', 'GREETING', 'hi'])).toMatchObject({ name: 'GREETING', value: 'hi' });
    expect(await json(['var', 'set', 'LIMITS', '{"max": 3}', '--json-value'])).toMatchObject({ value: { max: 3 } });
    const file = path.join(cli.scratch, 'motd.txt');
    await writeFile(file, 'line one\nline two\n');
    expect(await json(['var', 'set', 'MOTD', '--from-file', file])).toMatchObject({ value: 'line one\nline two\n' });

    const variables = await json<{ name: string; value: unknown }[]>(['var', 'list']);
    expect(variables).toEqual(expect.arrayContaining([{ name: 'GREETING', value: 'hi', updated_at: expect.any(String), updated_by: expect.any(String) }, expect.objectContaining({ name: 'LIMITS', value: { max: 3 } })]));
    const human = await trellis(['var', 'list']);
    expect(human.stdout).toMatch(/^GREETING\s+hi\s+\d{4}-/m);
    expect(human.stdout).toMatch(/^LIMITS\s+\{"max":3\}/m);

    expect(await json(['var', 'delete', 'GREETING'])).toMatchObject({ name: 'GREETING', value: 'hi' });
    expect((await json<{ name: string }[]>(['var', 'list'])).map((variable) => variable.name)).not.toContain('GREETING');
    expectRefusal(await trellis(['var', 'delete', 'GREETING']), 3, /^trellis: variable_not_found: no variable "GREETING" in this project \(list them with `trellis var list`\)$/);
  });

  it('refuses a value that is not JSON with --json-value, and a missing value (usage, exit 2)', async () => {
    expectRefusal(await trellis(['var', 'set', 'BAD', '{nope', '--json-value']), 2, /^trellis: usage: --json-value: the value is not JSON/);
    expectRefusal(await trellis(['var', 'set', 'BAD']), 2, /^trellis: usage: no value/);
  });
});

describe('trellis secret', () => {
  it('takes the value from stdin only, lists names and dates, deletes', async () => {
    const set = await trellis(['secret', 'set', 'DB_PASSWORD'], { stdin: SECRET });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Created secret DB_PASSWORD');
    const rotated = await json(['secret', 'set', 'DB_PASSWORD'], { stdin: `${SECRET}-2\n` });
    expect(rotated).toEqual({ name: 'DB_PASSWORD', updated_at: expect.any(String), updated_by: expect.any(String) });

    const secrets = await json<{ name: string }[]>(['secret', 'list']);
    expect(secrets).toEqual([{ name: 'DB_PASSWORD', updated_at: expect.any(String), updated_by: expect.any(String) }]);
    const human = await trellis(['secret', 'list']);
    expect(human.stdout).toMatch(/^NAME\s+UPDATED\s+BY/m);
    expect(human.stdout).toMatch(/^DB_PASSWORD\s+\d{4}-/m);

    expect(await json(['secret', 'delete', 'DB_PASSWORD'])).toMatchObject({ name: 'DB_PASSWORD' });
    expect(await json(['secret', 'list'])).toEqual([]);
    expectRefusal(await trellis(['secret', 'delete', 'DB_PASSWORD']), 3, /^trellis: secret_not_found: no secret "DB_PASSWORD" in this project \(list them with `trellis secret list`\)$/);
  });

  it('refuses a value on the command line, and an empty one (usage, exit 2), without storing anything', async () => {
    expectRefusal(await trellis(['secret', 'set', 'TOKEN', SECRET]), 2, /^trellis: usage: a secret's value is never taken from the command line .*\(pipe it: /);
    expectRefusal(await trellis(['secret', 'set', 'TOKEN'], { stdin: '' }), 2, /^trellis: usage: the secret is empty/);
    expect(await json(['secret', 'list'])).toEqual([]);
  });

  it('never shows the secret\'s value: in no output of this file, and not in the config', () => {
    expect(outputs.length).toBeGreaterThan(40);
    for (const { stdout, stderr } of outputs) {
      expect(stdout).not.toContain(SECRET);
      // The refusal of a value in argv is the one place it was given on the command line; even there it is not echoed.
      expect(stderr).not.toContain(SECRET);
    }
    expect(configText()).not.toContain(SECRET);
  });
});
