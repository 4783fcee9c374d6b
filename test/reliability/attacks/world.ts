import { ROLES, type Role } from '@trellis/kernel/roles';
import { makeTestRepository, type TestRepository } from '../../../services/repository/test/git-fixtures.js';
import { startBehindGateway, type Answer, type BehindGateway, type RequestOptions } from '../../e2e/behind-gateway.js';
import { SERVICES, eventually, startService, type ServiceName } from '../../e2e/harness.js';
import { ADMIN_PASSWORD } from '../../e2e/platform.js';
import { COUNT_FILES, PRINT_SECRET, echoWorkflow } from './fixtures.js';

/*
 * The world both the attacks and the secrets parts play in: the platform behind its gateway,
 * project A (the victim: a member of each role, an API key of each role, a variable, a secret,
 * a file, a git source scanned and built, a deployed workflow and a run) and project B (the
 * attacker's own project, an owner and an owner key), plus what an attacker holds without any
 * project: an expired token and a revoked key of A.
 */

export type Project = { id: string; name: string };

export type World = {
  env: BehindGateway;
  repo: TestRepository;
  a: Project;
  b: Project;
  /** The instance admin with a token for A (owner rights there): the good credential that checks state. */
  adminA: string;
  roleTokens: Record<Role, string>;
  roleKeys: Record<Role, string>;
  otherToken: string;
  otherKey: string;
  revokedKey: string;
  expiredToken: string;
  passwords: Record<string, string>;
  /** Every password, token and key value the world made: none may ever show in a log. */
  credentials: Set<string>;
  /** Ids of A's resources, by the route parameter they fill. */
  ids: {
    victimUser: string; memberUser: string; key: string; workflow: string; file: string; source: string; scan: string; build: string; run: string;
    variable: string; secret: string;
  };
  api: (method: string, path: string, options?: RequestOptions) => Promise<Answer>;
  /** A body that is neither JSON nor YAML (a file upload), through the gateway; the answer is kept with the others. */
  raw: (method: string, path: string, token: string, body: Buffer | string, contentType: string) => Promise<Answer>;
  stop: () => Promise<void>;
};

const must = (answer: Answer, what: string, statuses = [200, 201, 202, 204]): Answer => {
  if (!statuses.includes(answer.status)) throw new Error(`${what}: ${answer.status} ${answer.text.slice(0, 400)}`);
  return answer;
};

export const VARIABLE_VALUE = 'attack-variable-value-5d1f';

/** Starts the platform and builds the world; `secretValue` is project A's secret (the secrets part scans for it). */
export async function makeWorld(options: {
  secretValue: string;
  sourcePassword?: string;
  /** A service's own settings beside the world's. */
  overrides?: (name: ServiceName) => Record<string, string>;
  /** Called once the platform runs, before the world is made (the secrets part starts its broker capture there). */
  onPlatform?: (env: BehindGateway) => Promise<void>;
}): Promise<World> {
  const env = await startBehindGateway({ overrides: (name) => ({ TRELLIS_API_KEY_CACHE_MS: '1000', ...options.overrides?.(name) }) });
  await options.onPlatform?.(env);
  const credentials = new Set<string>([ADMIN_PASSWORD]);
  const passwords: Record<string, string> = {};
  const api = env.api;
  const raw = async (method: string, path: string, token: string, body: Buffer | string, contentType: string): Promise<Answer> => {
    const response = await fetch(`${env.gateway.base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
    const text = await response.text();
    env.answers.push(text);
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, type, text, headers: response.headers, body: type.includes('json') && text ? JSON.parse(text) : undefined };
  };
  const login = async (username: string, password: string, projectId?: string): Promise<string> => {
    const pair = must(await api('POST', '/authorization/login', { json: { username, password, ...(projectId ? { project_id: projectId } : {}) } }), `login ${username}`).body;
    credentials.add(pair.access_token).add(pair.refresh_token);
    return pair.access_token as string;
  };
  const admin = await login('admin', ADMIN_PASSWORD);
  const project = async (name: string): Promise<Project> => ({ id: must(await api('POST', '/authorization/projects', { token: admin, json: { name } }), `project ${name}`).body.id, name });
  const a = await project('attack-a');
  const b = await project('attack-b');
  const adminA = await login('admin', ADMIN_PASSWORD, a.id);
  const adminB = await login('admin', ADMIN_PASSWORD, b.id);
  const user = async (username: string): Promise<string> => {
    passwords[username] = `pw-${username}-${Math.random().toString(36).slice(2)}`;
    credentials.add(passwords[username]);
    return must(await api('POST', '/authorization/users', { token: admin, json: { username, password: passwords[username] } }), `user ${username}`).body.id;
  };
  const key = async (token: string, projectId: string, name: string, role: Role): Promise<{ id: string; key: string }> => {
    const created = must(await api('POST', `/authorization/projects/${projectId}/api-keys`, { token, json: { name, role } }), `key ${name}`).body;
    credentials.add(created.key);
    return { id: created.id, key: created.key };
  };

  const roleTokens = {} as Record<Role, string>;
  const roleKeys = {} as Record<Role, string>;
  const userIds = {} as Record<Role, string>;
  const keyIds = {} as Record<Role, string>;
  for (const role of ROLES) {
    userIds[role] = await user(`ada-${role}`);
    must(await api('POST', `/authorization/projects/${a.id}/members`, { token: admin, json: { username: `ada-${role}`, role } }), `member ${role}`);
    roleTokens[role] = await login(`ada-${role}`, passwords[`ada-${role}`] ?? '', a.id);
    const made = await key(adminA, a.id, `key-${role}`, role);
    roleKeys[role] = made.key;
    keyIds[role] = made.id;
  }
  const victimUser = await user('victim');
  await user('outsider');
  must(await api('POST', `/authorization/projects/${b.id}/members`, { token: admin, json: { username: 'outsider', role: 'owner' } }), 'outsider');
  const otherToken = await login('outsider', passwords['outsider'] ?? '', b.id);
  const otherKey = (await key(adminB, b.id, 'b-owner', 'owner')).key;

  // Every service must know A, B and their keys before any refusal means something.
  for (const { prefix } of SERVICES.filter((s) => s.name !== 'authorization')) {
    for (const bearer of [roleKeys.viewer, otherKey]) await eventually(() => api('GET', `${prefix}/project`, { token: bearer }), (x) => x.status === 200, 30_000);
  }
  const revokedKey = await revokedKeyOf(api, adminA, a.id, key);
  const expiredToken = await expiredTokenOf(env, passwords['ada-owner'] ?? '', a.id);
  credentials.add(expiredToken);

  const repo = await makeTestRepository();
  await repo.copyExample('echo', 'actions/echo');
  await repo.commit({ ...PRINT_SECRET, ...COUNT_FILES });
  const ids = {
    victimUser, memberUser: userIds.viewer, key: keyIds.viewer,
    ...(await seedProject(api, raw, adminA, roleKeys.operator, repo, options)),
  };
  return {
    env, repo, a, b, adminA, roleTokens, roleKeys, otherToken, otherKey, revokedKey, expiredToken, passwords, credentials, ids, api, raw,
    stop: async () => {
      await env.stop();
      await repo.close();
    },
  };
}

/** An owner key of A that worked everywhere, then revoked and refused everywhere. */
async function revokedKeyOf(api: World['api'], adminA: string, projectId: string, key: (token: string, projectId: string, name: string, role: Role) => Promise<{ id: string; key: string }>): Promise<string> {
  const made = await key(adminA, projectId, 'revoked', 'owner');
  const probes = SERVICES.map(({ name, prefix }) => (name === 'authorization' ? `/authorization/projects/${projectId}/members` : `${prefix}/project`));
  for (const path of probes) await eventually(() => api('GET', path, { token: made.key }), (x) => x.status === 200, 30_000);
  must(await api('DELETE', `/authorization/projects/${projectId}/api-keys/${made.id}`, { token: adminA }), 'revoke');
  for (const path of probes) await eventually(() => api('GET', path, { token: made.key }), (x) => x.status === 401, 60_000);
  return made.key;
}

/** A token with a valid signature past its expiry: a second authorization replica (same database and keys) issues one-second tokens. */
async function expiredTokenOf(env: BehindGateway, password: string, projectId: string): Promise<string> {
  const replica = await startService('authorization', env.platform.envFor('authorization', { TRELLIS_ACCESS_TOKEN_TTL_SECONDS: '1' }));
  let token = '';
  try {
    const response = await fetch(`${replica.url}/authorization/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada-owner', password, project_id: projectId }),
    });
    token = String(((await response.json()) as Record<string, unknown>)['access_token']);
  } finally {
    await replica.stop();
  }
  // Past the verifiers' clock-skew tolerance, for every service.
  for (const { prefix } of SERVICES.filter((s) => s.name !== 'authorization')) {
    await eventually(() => env.api('GET', `${prefix}/project`, { token }), (x) => x.status === 401, 30_000);
  }
  return token;
}

/** A's resources: a variable, a secret, a file, a source scanned and built (echo, print-secret, count-files), the echo workflow deployed, one run. */
async function seedProject(api: World['api'], raw: World['raw'], token: string, operatorKey: string, repo: TestRepository, options: { secretValue: string; sourcePassword?: string }) {
  const as = { token };
  must(await api('PUT', '/studio/variables/ATTACK_VAR', { ...as, json: { value: VARIABLE_VALUE } }), 'variable');
  must(await api('PUT', '/studio/secrets/ATTACK_SECRET', { ...as, json: { value: options.secretValue } }), 'secret');
  const file = must(await raw('POST', '/studio/files?name=victim.txt', token, 'the victim file', 'text/plain'), 'file').body.id as string;
  const source = must(await api('POST', '/repository/sources', { ...as, json: { name: 'actions', url: repo.fileUrl } }), 'source').body.id as string;
  // A second source whose credential is a secret too (an unreachable https URL: only its storing matters).
  if (options.sourcePassword) {
    must(await api('POST', '/repository/sources', { ...as, json: { name: 'private', url: 'https://git.invalid/private.git', username: 'git', password: options.sourcePassword } }), 'private source');
  }
  const scan = must(await api('POST', `/repository/sources/${source}/scan`, as), 'scan').body.id as string;
  await eventually(() => api('GET', `/repository/sources/${source}/scans/${scan}`, as), (x) => x.body?.status === 'done', 90_000);
  must(await api('POST', `/repository/sources/${source}/build`, as), 'build');
  for (const id of ['echo', 'print-secret', 'count-files']) await eventually(() => api('GET', `/studio/actions/${id}`, as), (x) => x.status === 200, 300_000);
  const build = must(await api('GET', '/builder/builds', as), 'builds').body.items[0].id as string;
  const workflow = await deploy(api, token, echoWorkflow('echo', { auth: 'required' }));
  const run = must(await api('POST', '/user-api/attack-a/echo', { token: operatorKey, json: { text: 'hello' } }), 'run');
  const runs = must(await api('GET', '/runner/runs?workflow=echo', as), 'runs').body.items;
  if (run.status !== 200 || runs.length !== 1) throw new Error(`the seed run: ${run.status} ${run.text}`);
  return { workflow, file, source, scan, build, run: runs[0].id as string, variable: 'ATTACK_VAR', secret: 'ATTACK_SECRET' };
}

/** Imports a workflow document and deploys it; answers its id once deployed. */
export async function deploy(api: World['api'], token: string, yaml: string): Promise<string> {
  const imported = must(await api('POST', '/studio/workflows/import', { token, yaml }), 'import');
  if (imported.body.problems?.length) throw new Error(`import problems: ${JSON.stringify(imported.body.problems)}`);
  must(await api('POST', `/studio/workflows/${imported.body.id}/deploy`, { token }), 'deploy');
  await eventually(() => api('GET', `/studio/workflows/${imported.body.id}`, { token }), (x) => x.body?.deployment?.status === 'deployed', 60_000);
  return imported.body.id as string;
}
