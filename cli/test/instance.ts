// A real instance (the five services behind the real gateway, test/e2e/behind-gateway.ts) and
// the built `trellis` command run against it as a user runs it: its own config directory, no
// terminal, the environment given.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBehindGateway, type BehindGateway } from '../../test/e2e/behind-gateway.js';
import { eventually, ROOT } from '../../test/e2e/harness.js';
import { ADMIN_PASSWORD } from '../../test/e2e/platform.js';

export { ADMIN_PASSWORD };
export const CLI = path.join(ROOT, 'cli', 'dist', 'main.js');

export type CliRun = { code: number | null; stdout: string; stderr: string };
export type CliOptions = { stdin?: string; env?: Record<string, string>; configHome?: string; cwd?: string; timeoutMs?: number };

export type CliInstance = {
  behind: BehindGateway;
  /** The gateway's URL, as `trellis login URL` takes it. */
  url: string;
  /** Where `trellis` keeps its config in these tests (XDG_CONFIG_HOME). */
  configHome: string;
  scratch: string;
  trellis: (args: readonly string[], options?: CliOptions) => Promise<CliRun>;
  /** `trellis` left running (for --follow, --wait): its output as it comes. */
  spawnTrellis: (args: readonly string[], options?: CliOptions) => ChildProcessWithoutNullStreams;
  /** A new project made by the administrator, known to every service, and `trellis login` into it. */
  loginToNewProject: (name: string, options?: { configHome?: string }) => Promise<{ projectId: string; adminToken: string }>;
  stop: () => Promise<void>;
};

function cliEnv(instance: { configHome: string; scratch: string }, options: CliOptions): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: instance.scratch,
    XDG_CONFIG_HOME: options.configHome ?? instance.configHome,
    ...options.env,
  };
}

export async function startCliInstance(options: Parameters<typeof startBehindGateway>[0] = {}): Promise<CliInstance> {
  const behind = await startBehindGateway(options);
  const scratch = await mkdtemp(path.join(tmpdir(), 'trellis-cli-'));
  const configHome = path.join(scratch, 'config');
  const instance = { configHome, scratch };

  const spawnTrellis = (args: readonly string[], run: CliOptions = {}) =>
    spawn(process.execPath, [CLI, ...args], { cwd: run.cwd ?? scratch, env: cliEnv(instance, run), stdio: 'pipe' });

  const trellis = (args: readonly string[], run: CliOptions = {}) => new Promise<CliRun>((resolve, reject) => {
    const child = spawnTrellis(args, run);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`trellis ${args.join(' ')} did not end in ${run.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`)); }, run.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.end(run.stdin ?? '');
  });

  const loginToNewProject = async (name: string, login: { configHome?: string } = {}) => {
    const adminToken = (await behind.api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token as string;
    const created = await behind.api('POST', '/authorization/projects', { token: adminToken, json: { name } });
    if (created.status !== 201) throw new Error(`creating the project ${name}: ${created.status} ${created.text}`);
    const projectId = created.body.id as string;
    const projectToken = (await behind.api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD, project_id: projectId } })).body.access_token as string;
    for (const prefix of ['studio', 'repository', 'builder', 'runner']) {
      await eventually(() => behind.api('GET', `/${prefix}/project`, { token: projectToken }), (answer) => answer.status === 200);
    }
    const result = await trellis(['login', behind.gateway.base, '-u', 'admin', '--password-stdin', '--project', name], { stdin: `${ADMIN_PASSWORD}\n`, ...(login.configHome ? { configHome: login.configHome } : {}) });
    if (result.code !== 0) throw new Error(`trellis login failed: ${result.stderr}`);
    return { projectId, adminToken };
  };

  return {
    behind, url: behind.gateway.base, configHome, scratch, trellis, spawnTrellis, loginToNewProject,
    stop: async () => {
      await behind.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
