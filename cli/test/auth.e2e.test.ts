// `trellis login | logout | whoami | completion` against a real instance whose access tokens
// live 3 seconds: a wrong password, a login kept in a 0600 config, an expired token renewed
// without a word, an instance that is down, TRELLIS_TOKEN, usage errors and completions.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../adm/test/fixtures.js';
import { ADMIN_PASSWORD, CLI, startCliInstance, type CliInstance } from './instance.js';

let cli: CliInstance;
const TOKEN_SECONDS = 3;

beforeAll(async () => {
  cli = await startCliInstance({ overrides: (name): Record<string, string> => (name === 'authorization' ? { TRELLIS_ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_SECONDS) } : {}) });
}, 120_000);
afterAll(() => cli?.stop());

const configFile = () => path.join(cli.configHome, 'trellis', 'config.json');
const savedContext = () => JSON.parse(readFileSync(configFile(), 'utf8')).contexts.default;
const oneLine = (text: string) => text.trimEnd().split('\n');

describe('trellis login', () => {
  it('refuses a wrong password in one line, exit 4, and saves nothing', async () => {
    const result = await cli.trellis(['login', cli.url, '-u', 'admin', '--password-stdin'], { stdin: 'not the password\n' });
    expect(result.code).toBe(4);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^trellis: invalid_credentials: .+\(check the username and password\)/);
    expect(() => statSync(configFile())).toThrow();
  });

  it('asks for the password on a terminal only: without one it says to pipe it (usage, exit 2)', async () => {
    const result = await cli.trellis(['login', cli.url, '-u', 'admin']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--password-stdin');
  });

  it('logs in and keeps the context in a file only its owner reads', async () => {
    const result = await cli.trellis(['login', cli.url, '-u', 'admin', '--password-stdin'], { stdin: `${ADMIN_PASSWORD}\n` });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${cli.url} as admin`);
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(savedContext()).toMatchObject({ url: cli.url, username: 'admin', tokens: { accessToken: expect.any(String), refreshToken: expect.any(String) } });
    const whoami = await cli.trellis(['whoami', '--json']);
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ user: { username: 'admin', is_admin: true }, url: cli.url, context: 'default' });
    const human = await cli.trellis(['whoami']);
    expect(human.stdout).toMatch(/user:\s+admin \(administrator\)/);
  });

  it('renews an expired access token without a word, and keeps the new tokens', { timeout: 30_000 }, async () => {
    const before = savedContext().tokens;
    // Past its expiry and the services' 5 seconds of clock tolerance: the API refuses it now.
    await new Promise((resolve) => setTimeout(resolve, (TOKEN_SECONDS + 6) * 1000));
    const expired = await cli.behind.api('GET', '/authorization/me', { token: before.accessToken });
    expect(expired.body.code).toBe('token_expired');
    const whoami = await cli.trellis(['whoami', '--json']);
    expect(whoami.stderr).toBe('');
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout).user.username).toBe('admin');
    const after = savedContext().tokens;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
  });

  it('takes TRELLIS_TOKEN over the saved context', async () => {
    const token = (await cli.behind.api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token as string;
    const result = await cli.trellis(['whoami', '--json'], { configHome: path.join(cli.scratch, 'empty-config'), env: { TRELLIS_URL: cli.url, TRELLIS_TOKEN: token } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).user.username).toBe('admin');
  });

  it('says in one line that an instance is down, exit 1, with what to do', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const result = await cli.trellis(['whoami', '--url', down]);
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`^trellis: unreachable: cannot reach Trellis at ${down}: connection refused \\(ECONNREFUSED\\) \\(is it running\\?`));
  });

  it('logs out: the refresh token is revoked and the next command asks for a login (exit 4)', async () => {
    const { refreshToken } = savedContext().tokens;
    const result = await cli.trellis(['logout']);
    expect(result.code).toBe(0);
    expect(savedContext().tokens).toBeUndefined();
    const refreshed = await cli.behind.api('POST', '/authorization/token/refresh', { json: { refresh_token: refreshToken } });
    expect(refreshed.status).toBe(401);
    const whoami = await cli.trellis(['whoami']);
    expect(whoami.code).toBe(4);
    expect(whoami.stderr).toMatch(/^trellis: not_logged_in: not logged in to .+\(run `trellis login`/);
  });
});

describe('usage', () => {
  it('answers an unknown command with exit 2 and a suggestion', async () => {
    const result = await cli.trellis(['lgin']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Did you mean login?');
  });

  it('prints its version for `trellis --version` only: after a command, --version is that command\'s', async () => {
    expect((await cli.trellis(['--version'])).stdout).toBe('0.1.0\n');
    const exported = await cli.trellis(['workflow', 'export', 'nothing', '--version', '3']);
    expect(exported.stdout).not.toContain('0.1.0');
    expect(exported.code).not.toBe(0);
  });

  it('completes commands in bash from the script `trellis completion bash` prints', () => {
    const script = `source <(${process.execPath} ${CLI} completion bash); COMP_WORDS=(trellis log); COMP_CWORD=1; _trellis; echo "\${COMPREPLY[@]}"`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(result.stdout.trim().split(' ').sort()).toEqual(['login', 'logout']);
  });

  it('prints completion scripts for zsh and fish, and refuses another shell (exit 2)', async () => {
    expect((await cli.trellis(['completion', 'zsh'])).stdout).toContain('#compdef trellis');
    expect((await cli.trellis(['completion', 'fish'])).stdout).toContain('complete -c trellis');
    expect((await cli.trellis(['completion', 'tcsh'])).code).toBe(2);
  });
});
