// The build path on real Postgres, RabbitMQ, object store, npm, pip and python3: ActionBuildRequested
// in (encoded with the builder's copy of the repository's contract), the artifact in the store,
// ActionBuilt or ActionBuildFailed out (decoded from the real broker), logs and builds over HTTP.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { drainQueue } from '@trellis/platform/testing/amqp';
import type { ActionBuilt } from '../src/infrastructure/pb/action-builder/v1/events.js';
import { brokenPythonAction, LOGO_SVG, nodeAction, pythonAction } from './fixtures/actions.js';
import { packNpmPackage, startFakeRegistry, type FakeRegistry } from './fixtures/npm-registry.js';
import { makePythonIndex } from './fixtures/python-index.js';
import { announceProject, api, makeEventLog, QUEUE, requestBuild, startArtifact, storeSource, useBuilder } from './support.js';

let scratch: string;
let registry: FakeRegistry;
let indexUrl: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-builds-'));
  registry = await startFakeRegistry({ 'tiny-shout': { version: '1.0.0', tarball: await packNpmPackage(scratch, 'tiny-shout', '1.0.0') } });
  ({ indexUrl } = await makePythonIndex(path.join(scratch, 'index'), [{ name: 'tinydep', version: '1.0.0' }]));
}, 60_000);
afterAll(async () => {
  await registry?.close();
  await rm(scratch, { recursive: true, force: true });
});

const builder = useBuilder(() => ({ TRELLIS_NPM_REGISTRY: registry.url, TRELLIS_PIP_INDEX_URL: indexUrl, TRELLIS_BUILD_PARALLELISM: '2' }), path.join(tmpdir(), `trellis-builder-${randomUUID()}`));
const events = makeEventLog(() => builder.vhost.url);
let projectId: string;
const built: Record<string, { digest: string; artifactObject: string }> = {};

beforeAll(async () => {
  projectId = await announceProject(builder.vhost.url, builder.database.db);
});

describe('a build', () => {
  it('seals a Node.js action with an npm dependency and a Python action with a requirements.txt dependency', async () => {
    const node = await storeSource(builder.store, projectId, nodeAction('tiny-shout'));
    const python = await storeSource(builder.store, projectId, pythonAction('tinydep'));
    const requests = [
      await requestBuild(builder.vhost.url, { projectId, actionId: 'node-shout', source: node }),
      await requestBuild(builder.vhost.url, { projectId, actionId: 'py-shout', source: python }),
    ];
    for (const [request, actionId] of [[requests[0], 'node-shout'], [requests[1], 'py-shout']] as const) {
      if (!request) throw new Error('no request');
      const ended = await events.ending(request.buildId);
      expect(ended.map((event) => event.type)).toEqual(['ActionBuildStarted', 'ActionBuilt']);
      const message = ended[1]?.message as ActionBuilt;
      expect(message.meta).toMatchObject({ projectId, traceId: `trace-${request.buildId}` });
      expect(message.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(message.artifactObject).toBe(`action-builder/projects/${projectId}/artifacts/${message.digest}.tar.gz`);
      expect(Number(message.artifactSize)).toBeGreaterThan(100_000);
      expect(message.action).toMatchObject({
        id: actionId, version: '1.0.0', kind: 'Processor', format: 'trellis', categories: ['tests'],
        inputs: [{ name: 'text', type: 'string', defaultJson: '' }, { name: 'times', type: 'integer', defaultJson: '2', hasSecretDefault: false }],
        outputs: [{ name: 'text', type: 'string' }],
        resources: { cpu: 0.1, memoryBytes: String(64 * 1024 * 1024), timeoutMs: '10000' },
      });
      built[actionId] = message;
      if (actionId === 'node-shout') {
        expect(Buffer.from(message.logo).toString('utf8')).toBe(LOGO_SVG);
        expect(message.logoMediaType).toBe('image/svg+xml');
      }
    }
  }, 180_000);

  it('gives artifacts that run with node and python3 alone, dependencies and lock included', async () => {
    for (const actionId of ['node-shout', 'py-shout']) {
      const into = path.join(scratch, `run-${actionId}`);
      const artifact = await startArtifact(builder.store, built[actionId]?.artifactObject ?? '', into);
      artifact.stop();
      const manifest = JSON.parse(await readFile(path.join(into, 'trellis-artifact.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest).toMatchObject({ run: { command: ['node', 'wrapper/cli.js', 'action'] }, definition: { id: actionId } });
      const lock = await readFile(path.join(into, 'action', String(manifest['lock'])), 'utf8');
      expect(lock).toContain(actionId === 'node-shout' ? '"tiny-shout"' : 'tinydep==1.0.0 \\\n    --hash=sha256:');
    }
  }, 60_000);

  it('gives the same digest for the same source built again, and builds a redelivered request once', async () => {
    const node = await storeSource(builder.store, projectId, nodeAction('tiny-shout'));
    const first = await requestBuild(builder.vhost.url, { projectId, actionId: 'node-shout', source: node });
    await requestBuild(builder.vhost.url, { projectId, actionId: 'node-shout', source: node, buildId: first.buildId });
    const again = await events.ending(first.buildId);
    expect((again.find((event) => event.type === 'ActionBuilt')?.message as { digest: string }).digest).toBe(built['node-shout']?.digest);
    const rows = await builder.database.db.selectFrom('builds').select(['id', 'attempt', 'state']).where('id', '=', first.buildId).execute();
    expect(rows).toEqual([{ id: first.buildId, attempt: 1, state: 'succeeded' }]);
    expect(events.of(first.buildId).map((event) => event.type)).toEqual(['ActionBuildStarted', 'ActionBuilt']);
  }, 120_000);

  it.each([
    ['a dependency that does not exist', () => nodeAction('no-such-package-xyz', 'node-missing'), 'node-missing',
      'npm install --package-lock-only failed: package no-such-package-xyz@1.0.0 not found in the registry', 'no-such-package-xyz'],
    ['a Python syntax error', brokenPythonAction, 'py-broken', 'the action is not valid: syntax error in handler.py line 3', 'handler.py:3'],
  ])('fails on %s, with the reason and the log', async (_case, files, actionId, reason, inLog) => {
    const source = await storeSource(builder.store, projectId, files());
    const request = await requestBuild(builder.vhost.url, { projectId, actionId, source });
    const ended = await events.ending(request.buildId);
    const failed = ended.find((event) => event.type === 'ActionBuildFailed')?.message as { reason: string; logTail: string; logObject: string; canceled: boolean };
    expect(failed.reason).toContain(reason);
    expect(failed).toMatchObject({ canceled: false, logObject: `action-builder/projects/${projectId}/builds/${request.buildId}/log.txt` });
    expect(failed.logTail).toContain(inLog);
    const token = await builder.jwks.sign({ projectId, role: 'viewer' });
    const build = await api(`${builder.base}/builds/${request.buildId}`, { token });
    expect(build.json()).toMatchObject({ state: 'failed', attempt: 1, failure_reason: failed.reason });
    const log = await api(`${builder.base}/builds/${request.buildId}/logs`, { token });
    expect(log.type).toMatch(/^text\/plain/);
    expect(log.text).toContain(inLog);
    expect(log.text).toContain(`[builder] failed: ${failed.reason}`);
  }, 120_000);
});

it('refuses a source tarball that is not the one the scan recorded', async () => {
  const source = await storeSource(builder.store, projectId, nodeAction('tiny-shout'));
  const request = await requestBuild(builder.vhost.url, { projectId, actionId: 'node-shout', source: { ...source, sha256: 'f'.repeat(64) } });
  const failed = (await events.ending(request.buildId)).find((event) => event.type === 'ActionBuildFailed')?.message as { reason: string };
  expect(failed.reason).toBe(`the source tarball does not match the scan (SHA-256 ${source.sha256}, expected ${'f'.repeat(64)}); scan the source and build again`);
}, 60_000);

describe('the builds API', () => {
  it('lists a project\'s builds by source and action, page by page, and shows one with its log', async () => {
    const token = await builder.jwks.sign({ projectId, role: 'viewer' });
    const first = await api(`${builder.base}/builds?limit=2`, { token });
    expect(first.status).toBe(200);
    const page = first.json() as { items: Array<{ id: string; action: { id: string } }>; next: string };
    expect(page.items).toHaveLength(2);
    const rest = (await api(`${builder.base}/builds?limit=50&cursor=${page.next}`, { token })).json() as { items: unknown[]; next: null };
    expect(page.items.length + rest.items.length).toBe(6);
    expect(rest.next).toBeNull();
    const python = (await api(`${builder.base}/builds?action=py-shout`, { token })).json() as { items: Array<Record<string, unknown>> };
    expect(python.items).toMatchObject([{ state: 'succeeded', action: { id: 'py-shout', version: '1.0.0' }, artifact: { digest: built['py-shout']?.digest } }]);
    const sourceId = (python.items[0]?.['source'] as { id: string }).id;
    expect(((await api(`${builder.base}/builds?source=${sourceId}`, { token })).json() as { items: unknown[] }).items).toHaveLength(1);
    const log = await api(`${builder.base}/builds/${String(python.items[0]?.['id'])}/logs`, { token });
    expect(log.text).toMatch(/\$ python3 -m pip install --target \.python/);
    expect(log.text).toContain('[builder] wrote requirements.lock');
    const metrics = (await api(`${builder.base}/metrics`)).text;
    expect(metrics).toMatch(/^builds_total\{outcome="succeeded",service="action-builder"\} 3$/m);
    expect(metrics).toMatch(/^builds_total\{outcome="failed",service="action-builder"\} 3$/m);
  });

  it('answers 404 to another project, 403 to a viewer who cancels, and problem+json to bad requests', async () => {
    const [someBuild] = ((await api(`${builder.base}/builds`, { token: await builder.jwks.sign({ projectId, role: 'viewer' }) })).json() as { items: Array<{ id: string }> }).items;
    const other = await builder.jwks.sign({ projectId: randomUUID(), role: 'owner' });
    for (const url of [`/builds/${someBuild?.id}`, `/builds/${someBuild?.id}/logs`]) {
      const answer = await api(`${builder.base}${url}`, { token: other });
      expect(answer.status).toBe(404);
      expect(answer.json()).toMatchObject({ code: 'build_not_found' });
    }
    expect((await api(`${builder.base}/builds/${someBuild?.id}/cancel`, { method: 'POST', token: other })).status).toBe(404);
    expect(((await api(`${builder.base}/builds`, { token: other })).json() as { items: unknown[] }).items).toEqual([]);

    const viewer = await builder.jwks.sign({ projectId, role: 'viewer' });
    const refused = await api(`${builder.base}/builds/${someBuild?.id}/cancel`, { method: 'POST', token: viewer });
    expect([refused.status, refused.type, refused.json()['code']]).toEqual([403, 'application/problem+json', 'forbidden']);
    const developer = await builder.jwks.sign({ projectId, role: 'developer' });
    expect((await api(`${builder.base}/builds/${someBuild?.id}/cancel`, { method: 'POST', token: developer })).json()).toMatchObject({ status: 409, code: 'build_finished' });

    for (const [url, code] of [
      ['/builds/not-a-uuid', 'invalid_request'], ['/builds/not-a-uuid/logs', 'invalid_request'], ['/builds?limit=0', 'invalid_request'],
      ['/builds?cursor=garbage', 'invalid_cursor'], ['/builds?source=nope', 'invalid_request'], [`/builds/${someBuild?.id}/logs?after=9007199254740991`, 'invalid_request'],
    ] as const) {
      const answer = await api(`${builder.base}${url}`, { token: viewer });
      expect([url, answer.status, answer.type.split(';')[0], answer.json()['code']]).toEqual([url, 400, 'application/problem+json', code]);
    }
    const badCancel = await api(`${builder.base}/builds/not-a-uuid/cancel`, { method: 'POST', token: developer });
    expect([badCancel.status, badCancel.json()['code']]).toEqual([400, 'invalid_request']);
  });

  it('dead-letters a request for another project\'s source tarball', async () => {
    const source = await storeSource(builder.store, randomUUID(), nodeAction('tiny-shout'));
    const request = await requestBuild(builder.vhost.url, { projectId, actionId: 'node-shout', source });
    await eventually(() => drainQueue(builder.vhost.url, `${QUEUE}.dead`), (messages) => messages.some((message) => message.properties.messageId === request.messageId), 10_000);
    expect(await builder.database.db.selectFrom('builds').select('id').where('id', '=', request.buildId).execute()).toEqual([]);
  });
});
