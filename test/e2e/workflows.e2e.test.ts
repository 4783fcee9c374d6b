// Workflows in studio as issue 10 states it, through the gateway as users call it: real actions
// built from a git repository, YAML in and out, every problem located at once, variables and
// secrets, deploy as one pinned snapshot on the real broker (answered by a stand-in runner, and
// taken by the real one), and who may do what.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as runnerPb from '../../services/studio/src/infrastructure/pb/runner/v1/events.js';
import * as studioPb from '../../services/studio/src/infrastructure/pb/studio/v1/events.js';
import { publishAs } from '@trellis/platform/testing/service-harness';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { startBehindGateway, type Answer, type BehindGateway, type RequestOptions } from './behind-gateway.js';
import { eventually, SERVICES } from './harness.js';
import { ADMIN_PASSWORD, type Platform } from './platform.js';

const FIXTURES = join(import.meta.dirname, 'fixtures/workflows');
const SECRET_VALUE = `s3cr3t-${randomUUID()}`;
const ROTATED_VALUE = `r0tated-${randomUUID()}`;

let env: BehindGateway;
let platform: Platform;
let repo: TestRepository;
let broker: amqp.ChannelModel;
const studioMessages: { type: string; content: Buffer }[] = [];
let answers: string[] = [];
const tokens: Record<'admin' | 'viewer' | 'operator' | 'developer' | 'other', string> = { admin: '', viewer: '', operator: '', developer: '', other: '' };

function api(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  return env.api(method, path, { ...options, token: options.token ?? tokens.developer });
}

async function login(username: string, password: string, projectId?: string): Promise<string> {
  const answer = await api('POST', '/authorization/login', { token: '', json: { username, password, ...(projectId ? { project_id: projectId } : {}) } });
  expect(answer.status, answer.text).toBe(200);
  return answer.body.access_token as string;
}

async function member(projectId: string, role: 'viewer' | 'operator' | 'developer'): Promise<string> {
  const username = `${role}-${randomUUID().slice(0, 8)}`;
  const password = `password of ${username}`;
  expect((await api('POST', '/authorization/users', { token: tokens.admin, json: { username, password } })).status).toBe(201);
  expect((await api('POST', `/authorization/projects/${projectId}/members`, { token: tokens.admin, json: { username, role } })).status).toBe(201);
  return login(username, password, projectId);
}

async function buildActions(): Promise<void> {
  const source = await api('POST', '/repository/sources', { json: { name: 'actions', url: repo.fileUrl } });
  expect(source.status, source.text).toBe(201);
  const scan = await api('POST', `/repository/sources/${source.body.id}/scan`);
  expect(scan.status).toBe(202);
  await eventually(() => api('GET', `/repository/sources/${source.body.id}/scans/${scan.body.id}`), (a) => a.body.status === 'done', 90_000);
  expect((await api('POST', `/repository/sources/${source.body.id}/build`)).status).toBe(202);
  for (const id of ['add-one', 'echo', 'sum-list', 'ticker']) {
    await eventually(() => api('GET', `/studio/actions/${id}`), (a) => a.status === 200, 300_000);
  }
}

beforeAll(async () => {
  env = await startBehindGateway();
  platform = env.platform;
  answers = env.answers;

  // Every message studio emits, as the broker carries it.
  broker = await amqp.connect(platform.vhost.url);
  const channel = await broker.createChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, 'trellis.studio', '#');
  await channel.consume(queue, (message) => {
    if (message) studioMessages.push({ type: message.properties.type as string, content: message.content });
  }, { noAck: true });

  tokens.admin = await login('admin', ADMIN_PASSWORD);
  const projectA = (await api('POST', '/authorization/projects', { token: tokens.admin, json: { name: 'workflows-a' } })).body.id as string;
  const projectB = (await api('POST', '/authorization/projects', { token: tokens.admin, json: { name: 'workflows-b' } })).body.id as string;
  tokens.developer = await member(projectA, 'developer');
  tokens.viewer = await member(projectA, 'viewer');
  tokens.operator = await member(projectA, 'operator');
  tokens.other = await login('admin', ADMIN_PASSWORD, projectB);
  for (const token of [tokens.developer, tokens.other]) await eventually(() => api('GET', '/studio/project', { token }), (a) => a.status === 200);

  repo = await makeTestRepository();
  for (const example of ['add-one', 'echo', 'sum-list', 'ticker']) await repo.copyExample(example, `actions/${example}`);
  await repo.commit({});
  await buildActions();
  expect((await api('PUT', '/studio/variables/LABEL', { json: { value: 'big' } })).status).toBe(201);
  expect((await api('PUT', '/studio/secrets/API_TOKEN', { json: { value: SECRET_VALUE } })).status).toBe(201);
}, 600_000);

afterAll(async () => {
  await broker?.close();
  await env?.stop();
  await repo?.close();
});

function lineAndColumn(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < occurrence; i++) index = text.indexOf(needle, index + 1);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

describe('YAML in and out', () => {
  it('names all 8 problems of a YAML document in one 422, each with its line and column', async () => {
    const yaml = await readFile(join(FIXTURES, 'eight-problems.yaml'), 'utf8');
    const answer = await api('POST', '/studio/workflows/validate', { yaml });
    expect(answer.status, answer.text).toBe(422);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body.code).toBe('workflow_invalid');
    const found = (answer.body.errors as { code: string; path: string; line: number; column: number }[]).map((e) => `${e.code} ${e.path} ${e.line}:${e.column}`).sort();
    const at = (needle: string, occurrence = 1) => {
      const { line, column } = lineAndColumn(yaml, needle, occurrence);
      return `${line}:${column}`;
    };
    const shifted = (position: string, columns: number) => position.replace(/:(\d+)$/, (_match, column: string) => `:${Number(column) + columns}`);
    expect(found).toEqual([
      `bad_duration steps[4].timeout ${at('ten seconds')}`,
      `cycle steps[1] ${at('id: s2')}`,
      `duplicate_step_id steps[3].id ${shifted(at('id: s2', 2), 4)}`,
      `type_mismatch steps[6].inputs.n ${at('"eleven"')}`,
      `unknown_action steps[0].action ${at('add-two')}`,
      `unknown_output steps[4].inputs.n ${at('${{ steps.s3.total }}')}`,
      `unknown_secret steps[5].inputs.numbers ${at('${{ secrets.NOT_THERE }}')}`,
      `unknown_step_reference steps[3].inputs.text ${at('${{ steps.ghost.text }}')}`,
    ].sort());
  });

  it('imports, exports and imports again byte for byte, for a workflow using every feature', async () => {
    const yaml = await readFile(join(FIXTURES, 'every-feature.yaml'), 'utf8');
    const imported = await api('POST', '/studio/workflows/import', { yaml });
    expect(imported.status, imported.text).toBe(201);
    expect(imported.body.problems).toEqual([]);
    const exported = await api('GET', `/studio/workflows/${imported.body.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.type).toContain('application/yaml');
    expect(exported.text).toBe(yaml);
    const again = await api('POST', '/studio/workflows/import', { yaml: exported.text });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(imported.body.id);
    expect((await api('GET', `/studio/workflows/${imported.body.id}/export`)).text).toBe(yaml);
  });
});

describe('deploy', () => {
  let id = '';

  it('emits one WorkflowDeployRequested with the pinned snapshot; the runner\'s answer moves it to deployed', async () => {
    const created = await api('POST', '/studio/workflows', {
      json: {
        apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'add-two',
        trigger: { type: 'http', path: 'add-two', inputs: [{ name: 'n', type: 'integer' }] },
        steps: [
          { id: 'a', action: 'add-one', inputs: { n: '${{ trigger.n }}' } },
          { id: 'b', action: 'add-one', inputs: { n: '${{ steps.a.n }}' } },
          { id: 'c', action: 'echo', inputs: { text: 'token ${{ secrets.API_TOKEN }}' } },
        ],
        results: { n: '${{ steps.b.n }}' },
      },
    });
    expect(created.status, created.text).toBe(201);
    id = created.body.id;
    expect(created.body.steps[0].action).toBe('add-one@1.0.0');
    const before = studioMessages.length;
    const deploy = await api('POST', `/studio/workflows/${id}/deploy`, { token: tokens.operator });
    expect(deploy.status, deploy.text).toBe(202);
    expect(deploy.body.deployment).toMatchObject({ status: 'deploying', version: 1 });
    await eventually(async () => studioMessages.slice(before).filter((m) => m.type.endsWith('WorkflowDeployRequested')), (list) => list.length > 0);
    const requests = studioMessages.slice(before).filter((m) => m.type === 'trellis.studio.v1.WorkflowDeployRequested');
    expect(requests).toHaveLength(1);
    const request = studioPb.WorkflowDeployRequested.decode(requests[0]?.content as Buffer);
    expect(request).toMatchObject({ workflowId: id, workflowName: 'add-two', version: 1, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const library = Object.fromEntries(await Promise.all(['add-one', 'echo'].map(async (action) => [action, (await api('GET', `/studio/actions/${action}`)).body.digest])));
    expect(request.actions.map((a) => [a.id, a.version, a.digest]).sort()).toEqual([['add-one', '1.0.0', library['add-one']], ['echo', '1.0.0', library['echo']]]);
    expect(JSON.parse(request.documentJson)).toEqual((await api('GET', `/studio/workflows/${id}/versions/1`)).body.document);

    // The runner's part, played by the test.
    await publishAsRunner('trellis.runner.v1.WorkflowDeployed', runnerPb.WorkflowDeployed.encode(runnerPb.WorkflowDeployed.fromPartial({
      meta: { eventId: randomUUID(), occurredAt: new Date(), projectId: request.meta?.projectId ?? '', traceId: 't' },
      workflowId: id, deploymentId: request.deploymentId, version: 1, site: 'local',
    })).finish());
    const deployed = await eventually(() => api('GET', `/studio/workflows/${id}`), (a) => a.body.deployment?.status === 'deployed');
    expect(deployed.body.deployment).toMatchObject({ status: 'deployed', version: 1 });
  });

  it('is taken by the real runner: its artifacts fetched and checked, its actions started', async () => {
    const deployments = await eventually(
      () => api('GET', '/runner/deployments', { token: tokens.viewer }),
      (a) => a.body?.items?.some((d: { workflow_id: string; status: string }) => d.workflow_id === id && d.status === 'active'),
      60_000,
    );
    const deployment = deployments.body.items.find((d: { workflow_id: string }) => d.workflow_id === id);
    expect(deployment).toMatchObject({ name: 'add-two', serving_version: 1, trigger: 'http', http_path: 'add-two' });
    expect(deployment.actions.map((a: { action: string }) => a.action).sort()).toEqual(['add-one@1.0.0', 'echo@1.0.0']);
    expect(deployment.actions.every((a: { site_state: { state: string } | null }) => a.site_state !== null && ['ready', 'idle'].includes(a.site_state.state))).toBe(true);
  });

  it('refuses to delete an action version the deployed workflow uses, naming it', async () => {
    const answer = await api('DELETE', '/studio/actions/add-one/versions/1.0.0');
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('action_version_in_use');
    expect(answer.body.detail).toContain('add-two');
  });

  it('lets operators deploy but not edit, and viewers only read', async () => {
    expect((await api('GET', `/studio/workflows/${id}`, { token: tokens.viewer })).status).toBe(200);
    expect((await api('GET', `/studio/workflows/${id}/export`, { token: tokens.viewer })).status).toBe(200);
    expect((await api('PATCH', `/studio/workflows/${id}`, { token: tokens.viewer, json: { title: 'x' } })).status).toBe(403);
    expect((await api('POST', `/studio/workflows/${id}/deploy`, { token: tokens.viewer })).status).toBe(403);
    expect((await api('PATCH', `/studio/workflows/${id}`, { token: tokens.operator, json: { title: 'x' } })).status).toBe(403);
    expect((await api('PUT', '/studio/variables/X', { token: tokens.operator, json: { value: 1 } })).status).toBe(403);
    expect((await api('PATCH', `/studio/workflows/${id}`, { token: tokens.developer, json: { title: 'Adds two' } })).status).toBe(200);
  });

  it('answers 404 to another project on every route naming a workflow, variable or secret of this one', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', `/studio/workflows/${id}`], ['PUT', `/studio/workflows/${id}`, { name: 'add-two' }], ['PATCH', `/studio/workflows/${id}`, { title: 'x' }],
      ['DELETE', `/studio/workflows/${id}`], ['GET', `/studio/workflows/${id}/export`], ['GET', `/studio/workflows/${id}/problems`],
      ['POST', `/studio/workflows/${id}/deploy`], ['POST', `/studio/workflows/${id}/undeploy`, { mode: 'graceful' }],
      ['GET', `/studio/workflows/${id}/versions`], ['GET', `/studio/workflows/${id}/versions/1`],
      ['GET', '/studio/variables/LABEL'], ['DELETE', '/studio/variables/LABEL'], ['GET', '/studio/secrets/API_TOKEN'], ['DELETE', '/studio/secrets/API_TOKEN'],
    ];
    for (const [method, path, json] of routes) {
      const answer = await api(method, path, { token: tokens.other, ...(json !== undefined ? { json } : {}) });
      expect(`${method} ${path} ${answer.status}`).toBe(`${method} ${path} 404`);
    }
    expect((await api('GET', `/studio/workflows/${id}`)).body.deployment.status).toBe('deployed');
    expect((await api('GET', '/studio/variables/LABEL')).body.value).toBe('big');
  });

  it('rotates a secret with no redeploy: the runner gets the new value sealed', async () => {
    const before = studioMessages.length;
    expect((await api('PUT', '/studio/secrets/API_TOKEN', { json: { value: ROTATED_VALUE } })).status).toBe(200);
    const sets = await eventually(async () => studioMessages.slice(before).filter((m) => m.type === 'trellis.studio.v1.ProjectSecretSet'), (list) => list.length === 1);
    expect(studioPb.ProjectSecretSet.decode(sets[0]?.content as Buffer).name).toBe('API_TOKEN');
    expect((await api('GET', `/studio/workflows/${id}`)).body.deployment).toMatchObject({ status: 'deployed', version: 1 });
  });

  it('undeploys: the request carries the mode, the runner\'s answer ends it', async () => {
    const before = studioMessages.length;
    const answer = await api('POST', `/studio/workflows/${id}/undeploy`, { token: tokens.operator, json: { mode: 'immediate' } });
    expect(answer.status, answer.text).toBe(202);
    const requests = await eventually(async () => studioMessages.slice(before).filter((m) => m.type === 'trellis.studio.v1.WorkflowUndeployRequested'), (list) => list.length === 1);
    const request = studioPb.WorkflowUndeployRequested.decode(requests[0]?.content as Buffer);
    expect(request.mode).toBe(studioPb.UndeployMode.UNDEPLOY_MODE_IMMEDIATE);
    await publishAsRunner('trellis.runner.v1.WorkflowUndeployed', runnerPb.WorkflowUndeployed.encode(runnerPb.WorkflowUndeployed.fromPartial({
      meta: { eventId: randomUUID(), occurredAt: new Date(), projectId: request.meta?.projectId ?? '', traceId: 't' },
      workflowId: id, deploymentId: request.deploymentId, version: 1,
    })).finish());
    await eventually(() => api('GET', `/studio/workflows/${id}`), (a) => a.body.deployment?.status === 'undeployed');
  });
});

describe('secrets', () => {
  it('never shows a secret\'s value: not in any answer, export, log line or broker message', async () => {
    const exports = await api('GET', '/studio/workflows?limit=100');
    for (const workflow of exports.body.items as { id: string }[]) answers.push((await api('GET', `/studio/workflows/${workflow.id}/export`)).text);
    for (const value of [SECRET_VALUE, ROTATED_VALUE]) {
      expect(answers.filter((text) => text.includes(value))).toEqual([]);
      expect(studioMessages.filter((m) => m.content.includes(value))).toEqual([]);
      for (const { name } of SERVICES) expect(platform.running[name].output().includes(value), `${name}'s log`).toBe(false);
    }
    expect(studioMessages.filter((m) => m.type === 'trellis.studio.v1.ProjectSecretSet')).toHaveLength(2);
  });
});

/** The runner's answers, published as its outbox does. */
async function publishAsRunner(type: string, content: Uint8Array): Promise<void> {
  await publishAs(platform.vhost.url, 'runner', type, content);
}
