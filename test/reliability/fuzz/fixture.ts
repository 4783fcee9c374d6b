import { randomUUID } from 'node:crypto';
import { makeTestRepository, type TestRepository } from '../../../services/repository/test/git-fixtures.js';
import type { Answer, BehindGateway, RequestOptions } from '../../e2e/behind-gateway.js';
import { eventually } from '../../e2e/harness.js';
import { ADMIN_PASSWORD } from '../../e2e/platform.js';
import type { Operation } from './openapi.js';
import { emptyPools, type Pools } from './pools.js';
import { workflowDocument, type Credential } from './requests.js';

/**
 * What the fuzzed requests find in place, so their ids resolve: project A with a member of each
 * role, an owner API key, a source scanned and built (add-one, make-archive), deployed
 * workflows with runs (one waiting for a signal, one with a directory output), variables,
 * secrets and files; project B with its own, to be asked for with A's credentials; spares of
 * each kind for the routes that change or delete.
 */
export type Fixture = {
  pools: Pools;
  /** The fixture's deployed HTTP trigger (`/user-api/<project>/<path>`): POST {"n": 1} answers {"n": 2}. */
  triggerUrl: string;
  deployedWorkflow: string;
  bearer: (credential: Credential, operation: Operation) => Promise<string>;
  /** The owner's token, for the checks after the run. */
  owner: string;
  /** A run whose directory output's object is gone from the store (the runner must say so, not fail). */
  goneOutput: { runId: string; step: string; name: string } | undefined;
  close: () => Promise<void>;
};

type Api = (method: string, path: string, options?: RequestOptions) => Promise<Answer>;

async function ok(api: Api, method: string, path: string, options: RequestOptions, expected = [200, 201, 202, 204]): Promise<Answer> {
  const answer = await api(method, path, options);
  if (!expected.includes(answer.status)) throw new Error(`fixture: ${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
  return answer;
}

const ROLES = ['viewer', 'operator', 'developer', 'owner'] as const;

const PROJECT = 'fuzz-a';
const TRIGGER_PATH = 'fuzz-add';
const TRIGGER_URL = `/user-api/${PROJECT}/${TRIGGER_PATH}`;

const yamlOf = (lines: string[]) => `${lines.join('\n')}\n`;

const WORKFLOWS = {
  add: yamlOf(['apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: fuzz-add', 'trigger:', '  type: http', `  path: ${TRIGGER_PATH}`, '  auth: none', '  timeout: 30s',
    '  inputs:', '    - { name: n, type: integer }', 'steps:', '  - id: s1', '    action: add-one', '    inputs:', '      n: ${{ trigger.n }}', 'results:', '  n: ${{ steps.s1.n }}']),
  wait: yamlOf(['apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: fuzz-wait', 'trigger:', '  type: manual', '  inputs:', '    - { name: n, type: integer }', 'steps:',
    '  - id: approve', '    wait:', '      signal: approved', '  - id: s1', '    action: add-one', '    needs: [approve]', '    inputs:', '      n: ${{ trigger.n }}']),
  archive: yamlOf(['apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: fuzz-archive', 'trigger:', '  type: manual', 'steps:', '  - id: pack', '    action: make-archive',
    '    inputs:', '      lines: "a\\nb"', 'results:', '  folder: ${{ steps.pack.folder }}']),
};

export async function makeFixture(env: BehindGateway): Promise<Fixture> {
  const pools = emptyPools();
  const api: Api = (method, path, options = {}) => env.api(method, path, options);
  const passwords: Record<string, string> = {};
  const login = async (username: string, password: string, projectId?: string): Promise<string> =>
    String((await ok(api, 'POST', '/authorization/login', { json: { username, password, ...(projectId ? { project_id: projectId } : {}) } })).body.access_token);

  const root = await login('admin', ADMIN_PASSWORD);
  const project = async (name: string) => String((await ok(api, 'POST', '/authorization/projects', { token: root, json: { name } })).body.id);
  const [a, b, c] = [await project(PROJECT), await project('fuzz-b'), await project('fuzz-spare')];
  pools.project = { own: [a], other: [b], spare: [c] };
  const admin = await login('admin', ADMIN_PASSWORD, a);
  const adminB = await login('admin', ADMIN_PASSWORD, b);
  pools.user.own.push(String((await ok(api, 'GET', '/authorization/me', { token: admin })).body.id));

  const user = async (username: string, projectId: string, role: string) => {
    passwords[username] = `pw-${randomUUID()}`;
    const id = String((await ok(api, 'POST', '/authorization/users', { token: root, json: { username, password: passwords[username] } })).body.id);
    await ok(api, 'POST', `/authorization/projects/${projectId}/members`, { token: root, json: { username, role } });
    return id;
  };
  const tokens: Partial<Record<Credential, string>> = { admin };
  for (const role of ROLES) {
    pools.user.own.push(await user(`fuzz-${role}`, a, role));
    tokens[role] = await login(`fuzz-${role}`, passwords[`fuzz-${role}`] ?? '', a);
  }
  pools.user.other.push(await user('fuzz-outsider', b, 'owner'));
  for (const n of [1, 2, 3]) pools.user.spare.push(await user(`fuzz-spare-${n}`, a, 'viewer'));
  const key = await ok(api, 'POST', `/authorization/projects/${a}/api-keys`, { token: admin, json: { name: 'fuzz', role: 'owner' } });
  tokens.apiKey = String(key.body.key);
  pools.apiKey.own.push(String(key.body.id));
  for (const n of [1, 2]) pools.apiKey.spare.push(String((await ok(api, 'POST', `/authorization/projects/${a}/api-keys`, { token: admin, json: { name: `spare-${n}`, role: 'viewer' } })).body.id));
  pools.apiKey.other.push(String((await ok(api, 'POST', `/authorization/projects/${b}/api-keys`, { token: adminB, json: { name: 'other', role: 'viewer' } })).body.id));
  for (const service of ['studio', 'repository', 'builder', 'runner']) {
    for (const token of [admin, adminB, tokens.apiKey]) await eventually(() => api('GET', `/${service}/project`, { token }), (answer) => answer.status === 200, 30_000);
  }

  const repo = await buildActions(api, admin, pools);
  await otherProject(api, adminB, pools);
  await studioThings(api, admin, pools);
  const deployed = await deployWorkflows(api, admin, pools);
  const goneOutput = await runs(api, admin, pools, deployed, env);

  const bearer = async (credential: Credential, operation: Operation): Promise<string> => {
    // Logging out ends the session its token belongs to: each logout gets a session of its own.
    if (operation.id === 'authorizationLogout' && credential !== 'apiKey') {
      return credential === 'admin' ? login('admin', ADMIN_PASSWORD, a) : login(`fuzz-${credential}`, passwords[`fuzz-${credential}`] ?? '', a);
    }
    return tokens[credential] ?? '';
  };
  return { pools, triggerUrl: TRIGGER_URL, deployedWorkflow: deployed.add, bearer, owner: tokens.owner ?? '', goneOutput, close: () => repo.close() };
}

async function buildActions(api: Api, token: string, pools: Pools): Promise<TestRepository> {
  const repo = await makeTestRepository();
  await repo.copyExample('add-one', 'actions/add-one');
  await repo.copyExample('make-archive', 'actions/make-archive');
  await repo.commit({ 'README.md': 'fuzz fixture\n' });
  const source = await ok(api, 'POST', '/repository/sources', { token, json: { name: 'fuzz-actions', url: repo.fileUrl } });
  const id = String(source.body.id);
  pools.source.own.push(id);
  const scan = await ok(api, 'POST', `/repository/sources/${id}/scan`, { token });
  pools.scan.own.push(String(scan.body.id));
  await eventually(() => api('GET', `/repository/sources/${id}/scans/${String(scan.body.id)}`, { token }), (answer) => answer.body?.status === 'done', 120_000);
  await ok(api, 'POST', `/repository/sources/${id}/build`, { token, json: {} });
  for (const action of ['add-one', 'make-archive']) await eventually(() => api('GET', `/studio/actions/${action}`, { token }), (answer) => answer.status === 200, 600_000);
  pools.action.own.push('add-one', 'make-archive');
  pools.actionVersion.own.push('1.0.0');
  const builds = await ok(api, 'GET', '/builder/builds', { token });
  pools.build.own.push(...(builds.body.items as Array<{ id: string }>).map((build) => build.id));
  // Spares: a source that points nowhere (its scans fail fast), to scan, build, change and delete.
  for (const n of [1, 2]) {
    const spare = await ok(api, 'POST', '/repository/sources', { token, json: { name: `fuzz-spare-${n}`, url: `file:///nonexistent/fuzz-${n}` } });
    pools.source.spare.push(String(spare.body.id));
  }
  return repo;
}

async function otherProject(api: Api, token: string, pools: Pools): Promise<void> {
  const workflow = await ok(api, 'POST', '/studio/workflows', { token, json: workflowDocument('other-flow') });
  pools.workflow.other.push(String(workflow.body.id));
  await ok(api, 'PUT', '/studio/variables/OTHER_VAR', { token, json: { value: 'b' } });
  pools.variable.other.push('OTHER_VAR');
  await ok(api, 'PUT', '/studio/secrets/OTHER_SECRET', { token, json: { value: 'other secret value' } });
  pools.secret.other.push('OTHER_SECRET');
  pools.file.other.push(String((await ok(api, 'POST', '/studio/files?name=other.txt', { token, yaml: 'other' })).body.id));
  const source = await ok(api, 'POST', '/repository/sources', { token, json: { name: 'other-source', url: 'file:///nonexistent/other' } });
  pools.source.other.push(String(source.body.id));
}

async function studioThings(api: Api, token: string, pools: Pools): Promise<void> {
  for (const [name, pool] of [['FUZZ_VAR', pools.variable.own], ['SPARE_VAR_1', pools.variable.spare], ['SPARE_VAR_2', pools.variable.spare]] as const) {
    await ok(api, 'PUT', `/studio/variables/${name}`, { token, json: { value: 'v' } });
    pool.push(name);
  }
  for (const [name, pool] of [['FUZZ_SECRET', pools.secret.own], ['SPARE_SECRET_1', pools.secret.spare], ['SPARE_SECRET_2', pools.secret.spare]] as const) {
    await ok(api, 'PUT', `/studio/secrets/${name}`, { token, json: { value: `secret ${name}` } });
    pool.push(name);
  }
  for (const [name, pool] of [['fuzz.txt', pools.file.own], ['spare-1.txt', pools.file.spare], ['spare-2.txt', pools.file.spare]] as const) {
    pool.push(String((await ok(api, 'POST', `/studio/files?name=${name}`, { token, yaml: 'file content\n' })).body.id));
  }
  for (const n of [1, 2, 3]) pools.workflow.spare.push(String((await ok(api, 'POST', '/studio/workflows', { token, json: workflowDocument(`fuzz-spare-${n}`) })).body.id));
}

async function deployWorkflows(api: Api, token: string, pools: Pools): Promise<Record<keyof typeof WORKFLOWS, string>> {
  const ids = {} as Record<keyof typeof WORKFLOWS, string>;
  for (const [name, yaml] of Object.entries(WORKFLOWS) as Array<[keyof typeof WORKFLOWS, string]>) {
    const imported = await ok(api, 'POST', '/studio/workflows/import', { token, yaml });
    if ((imported.body.problems as unknown[]).length > 0) throw new Error(`fixture: ${name} has problems: ${imported.text}`);
    const id = String(imported.body.id);
    await ok(api, 'POST', `/studio/workflows/${id}/deploy`, { token, json: {} });
    await eventually(() => api('GET', `/studio/workflows/${id}`, { token }), (answer) => answer.body?.deployment?.status === 'deployed', 120_000);
    ids[name] = id;
    pools.workflow.own.push(id);
  }
  pools.workflowVersion.own.push('1');
  return ids;
}

async function runs(api: Api, token: string, pools: Pools, workflows: Record<keyof typeof WORKFLOWS, string>, env: BehindGateway): Promise<Fixture['goneOutput']> {
  for (const n of [1, 2]) {
    const answer = await ok(api, 'POST', TRIGGER_URL, { json: { n } });
    if (answer.body?.n !== n + 1) throw new Error(`fixture: the trigger answered ${answer.text}`);
  }
  const waiting = await ok(api, 'POST', `/runner/workflows/${workflows.wait}/runs`, { token, json: { inputs: { n: 1 } } });
  const archive = await ok(api, 'POST', `/runner/workflows/${workflows.archive}/runs`, { token, json: {} });
  const archiveRun = String(archive.body.run_id);
  await eventually(() => api('GET', `/runner/runs/${archiveRun}`, { token }), (answer) => answer.body?.status === 'succeeded', 120_000);
  const listed = await ok(api, 'GET', `/runner/runs?workflow=fuzz-add`, { token });
  const added = (listed.body.items as Array<{ id: string }>).map((run) => run.id);
  pools.run.own.push(String(waiting.body.run_id), archiveRun, ...added.slice(0, 1));
  pools.run.spare.push(...added.slice(1));
  pools.step.own.push('s1', 'approve', 'pack');
  pools.output.own.push('n', 'folder');
  pools.signal.own.push('approved');
  // A second archive run whose output's object is then removed from the store behind the runner's back.
  const gone = String((await ok(api, 'POST', `/runner/workflows/${workflows.archive}/runs`, { token, json: {} })).body.run_id);
  const run = await eventually(() => api('GET', `/runner/runs/${gone}`, { token }), (answer) => answer.body?.status === 'succeeded', 120_000);
  pools.run.own.push(gone);
  const folder = (run.body.steps as Array<{ id: string; outputs?: { folder?: { object?: string } } }>).find((step) => step.id === 'pack')?.outputs?.folder;
  const object = folder?.object ?? (await objectsOf(env, gone))[0];
  if (!object) return undefined;
  await env.platform.store.store.client.removeObject(env.platform.store.config.bucket, object);
  return { runId: gone, step: 'pack', name: 'folder' };
}

/** The store's objects of a run (its view shows a file without its key). */
async function objectsOf(env: BehindGateway, runId: string): Promise<string[]> {
  const names: string[] = [];
  const listing = env.platform.store.store.client.listObjectsV2(env.platform.store.config.bucket, 'runner/', true) as AsyncIterable<{ name: string }>;
  for await (const item of listing) if (item.name.includes(runId) && !item.name.includes('/logs')) names.push(item.name);
  return names;
}
