import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeTestRepository, RYAX_ACTION, type TestRepository } from './git-fixtures.js';
import { builder, meta, scanOnce, useRepository } from './support.js';

const service = useRepository();
let repo: TestRepository;
let project: Awaited<ReturnType<typeof service.project>>;
let token: string;
let sourceId: string;
let scan: Awaited<ReturnType<typeof scanOnce>>;

beforeAll(async () => {
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'echo');
  await repo.copyExample('uppercase', 'uppercase');
  await repo.commit(Object.fromEntries(Object.entries(RYAX_ACTION).map(([name, content]) => [`count/${name}`, content])));
  project = await service.project();
  token = await project.token('developer');
  sourceId = (await service.call('POST', '/sources', { token, body: { name: 'actions', url: repo.fileUrl } })).body.id;
  scan = await scanOnce(service, token, sourceId);
  expect(scan.actions).toHaveLength(3);
  await service.buildRequests(); // nothing before the first request
});
afterAll(() => repo?.close());

const actionOf = async (id: string) => {
  const source = await service.call('GET', `/sources/${sourceId}`, { token });
  return source.body.last_scan.actions.find((a: { id: string }) => a.id === id);
};

describe('a build request', () => {
  let requested: Awaited<ReturnType<typeof service.call>>;
  beforeAll(async () => {
    requested = await service.call('POST', `/sources/${sourceId}/build`, { token, body: {} });
  });

  it('answers 202 with one queued build per valid action of the last scan', () => {
    expect(requested.status).toBe(202);
    expect(requested.body.scan_id).toBe(scan.id);
    expect(requested.body.builds.map((b: { action_id: string; status: string }) => [b.action_id, b.status])).toEqual([
      ['ryax-count', 'queued'], ['echo', 'queued'], ['uppercase', 'queued'],
    ]);
  });

  it('emits one ActionBuildRequested per action, decoded from the broker with the repository\'s own contract', async () => {
    const messages = await eventually(() => service.buildRequests(), (list) => list.length > 0);
    const more = await service.buildRequests();
    const all = [...messages, ...more].sort((a, b) => a.actionId.localeCompare(b.actionId));
    expect(all).toHaveLength(3);
    const bySha = new Map(scan.actions.map((a: { id: string; source_sha256: string; folder: string; version: string }) => [a.id, a]));
    for (const message of all) {
      const action = bySha.get(message.actionId) as { source_sha256: string; folder: string; version: string };
      expect(message).toMatchObject({
        sourceId, sourceName: 'actions', commit: scan.commit, folder: action.folder, version: action.version,
        sourceSha256: action.source_sha256, sourceObject: `repository/projects/${project.id}/sources/${sourceId}/${action.source_sha256}.tar.gz`,
        imageSites: [],
      });
      expect(message.meta?.projectId).toBe(project.id);
      expect(requested.body.builds.map((b: { id: string }) => b.id)).toContain(message.buildId);
    }
  });

  it('shows each action\'s build as queued, then follows the builder\'s reports: running, built with the digest, failed with the reason', async () => {
    const buildOf = (id: string) => requested.body.builds.find((b: { action_id: string }) => b.action_id === id).id as string;
    expect((await actionOf('echo')).build).toMatchObject({ id: buildOf('echo'), status: 'queued' });

    await service.report('ActionBuildStarted', builder.ActionBuildStarted.encode({ meta: meta(project.id), buildId: buildOf('echo'), attempt: 1 }).finish());
    expect((await actionOf('echo')).build).toMatchObject({ status: 'running', attempt: 1 });

    const digest = 'd'.repeat(64);
    await service.report('ActionBuilt', builder.ActionBuilt.encode(builder.ActionBuilt.fromPartial({
      meta: meta(project.id), buildId: buildOf('echo'), sourceId, commit: scan.commit, folder: 'echo', digest,
      artifactObject: `action-builder/projects/${project.id}/artifacts/${digest}.tar.gz`, artifactSize: '1234', builtAt: new Date(),
    })).finish());
    expect((await actionOf('echo')).build).toMatchObject({ status: 'built', digest });

    await service.report('ActionBuildFailed', builder.ActionBuildFailed.encode(builder.ActionBuildFailed.fromPartial({
      meta: meta(project.id), buildId: buildOf('uppercase'), reason: 'pip install failed: no such package nope==9', logTail: 'ERROR: nope', canceled: false,
    })).finish());
    expect((await actionOf('uppercase')).build).toMatchObject({ status: 'failed', reason: 'pip install failed: no such package nope==9', log_tail: 'ERROR: nope' });

    await service.report('ActionBuildFailed', builder.ActionBuildFailed.encode(builder.ActionBuildFailed.fromPartial({
      meta: meta(project.id), buildId: buildOf('ryax-count'), reason: 'canceled by ada', canceled: true,
    })).finish());
    expect((await actionOf('ryax-count')).build).toMatchObject({ status: 'canceled' });
  });

  it('ignores a late start of a finished build, and reports of builds it does not know or of another project', async () => {
    const echo = await actionOf('echo');
    await service.report('ActionBuildStarted', builder.ActionBuildStarted.encode({ meta: meta(project.id), buildId: echo.build.id, attempt: 2 }).finish());
    await service.report('ActionBuildStarted', builder.ActionBuildStarted.encode({ meta: meta(randomUUID()), buildId: echo.build.id, attempt: 3 }).finish());
    await service.report('ActionBuildStarted', builder.ActionBuildStarted.encode({ meta: meta(project.id), buildId: randomUUID(), attempt: 1 }).finish());
    expect((await actionOf('echo')).build).toMatchObject({ status: 'built', attempt: 1 });
  });
});

describe('building some actions', () => {
  it('builds only the actions named, and names back those the last scan does not have', async () => {
    const some = await service.call('POST', `/sources/${sourceId}/build`, { token, body: { actions: ['echo'] } });
    expect(some.status).toBe(202);
    expect(some.body.builds.map((b: { action_id: string }) => b.action_id)).toEqual(['echo']);
    expect((await actionOf('echo')).build).toMatchObject({ id: some.body.builds[0].id, status: 'queued' });

    const unknown = await service.call('POST', `/sources/${sourceId}/build`, { token, body: { actions: ['echo', 'no-such-action', 'missing'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(unknown.body).toMatchObject({ code: 'unknown_actions' });
    expect(unknown.body.detail).toContain('"no-such-action", "missing"');
    const messages = await eventually(() => service.buildRequests(), (list) => list.length > 0);
    expect(messages.map((m) => m.actionId)).toEqual(['echo']);
  });

  it('refuses a source that was never scanned', async () => {
    const other = (await service.call('POST', '/sources', { token, body: { name: 'never-scanned', url: repo.fileUrl } })).body.id;
    const answer = await service.call('POST', `/sources/${other}/build`, { token });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('not_scanned');
  });
});
