// A running build followed live (Server-Sent Events) until it ends, and builds canceled while
// queued and while running (their processes gone). The test's npm registry holds a package's
// answers, so a build is "in the middle" for exactly as long as the test needs.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { nodeAction } from './fixtures/actions.js';
import { packNpmPackage, startFakeRegistry, type FakeRegistry } from './fixtures/npm-registry.js';
import { followEvents } from './fixtures/sse.js';
import { objectNames, putObjects } from '@trellis/platform/testing/service-harness';
import { announceProject, api, deleteProject, makeEventLog, requestBuild, storeSource, useBuilder } from './support.js';

let scratch: string;
let registry: FakeRegistry;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-cancel-'));
  const packages: Record<string, { version: string; tarball: string }> = {};
  for (const name of ['followed-shout', 'canceled-shout', 'deleted-shout', 'stopped-shout']) packages[name] = { version: '1.0.0', tarball: await packNpmPackage(scratch, name, '1.0.0') };
  registry = await startFakeRegistry(packages);
  registry.hold('followed-shout');
  registry.hold('canceled-shout');
  registry.hold('deleted-shout');
  registry.hold('stopped-shout');
}, 60_000);
afterAll(async () => {
  await registry?.close();
  await rm(scratch, { recursive: true, force: true });
});

const builder = useBuilder(() => ({ TRELLIS_NPM_REGISTRY: registry.url }), path.join(tmpdir(), `trellis-builder-${randomUUID()}`));
const events = makeEventLog(() => builder.vhost.url);
let projectId: string;
beforeAll(async () => {
  projectId = await announceProject(builder.vhost.url, builder.database.db);
});

const logOf = async (buildId: string) => (await api(`${builder.base}/builds/${buildId}/logs`, { token: await builder.jwks.sign({ projectId, role: 'viewer' }) })).text;
const pidIn = (log: string) => Number(/\$ npm install --package-lock-only .*\[pid (\d+)\]/.exec(log)?.[1]);
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a running build', () => {
  it('can be followed live, and its stream ends when it ends', async () => {
    const source = await storeSource(builder.store, projectId, nodeAction('followed-shout', 'followed'));
    const { buildId } = await requestBuild(builder.vhost.url, { projectId, actionId: 'followed', source });
    const token = await builder.jwks.sign({ projectId, role: 'viewer' });
    await eventually(() => logOf(buildId), (log) => pidIn(log) > 0, 60_000);
    const stream = await followEvents(`${builder.base}/builds/${buildId}/logs`, token);
    expect([stream.status, stream.contentType.split(';')[0]]).toEqual([200, 'text/event-stream']);
    await eventually(async () => stream.lines(), (lines) => lines.some((line) => line.startsWith('$ npm install --package-lock-only')));
    expect(stream.state.ended).toBe(false);

    registry.release('followed-shout');
    await stream.done;
    const lines = stream.lines();
    expect(lines).toContain('[builder] adding the wrapper and packing the artifact');
    expect(lines.at(-1)).toMatch(/^\[builder\] built [0-9a-f]{64}/);
    expect(stream.state.events.at(-1)).toEqual({ event: 'end', data: '{"state":"succeeded"}' });
    expect(stream.state.events.filter((event) => event.event === 'message').map((event) => Number(event.id))).toEqual(lines.map((_, index) => index + 1));
    expect((await events.ending(buildId)).map((event) => event.type)).toEqual(['ActionBuildStarted', 'ActionBuilt']);

    // Resuming after a line (Last-Event-ID) sends only what follows, then ends at once: the build has ended.
    const resumed = await followEvents(`${builder.base}/builds/${buildId}/logs`, token, { 'last-event-id': String(lines.length - 1) });
    await resumed.done;
    expect(resumed.lines()).toEqual([lines.at(-1)]);
  }, 120_000);
});

describe('canceling', () => {
  it('ends a queued build at once, and stops a running one and its processes', async () => {
    const developer = await builder.jwks.sign({ projectId, role: 'developer' });
    const source = await storeSource(builder.store, projectId, nodeAction('canceled-shout', 'canceled'));
    const running = await requestBuild(builder.vhost.url, { projectId, actionId: 'canceled', source });
    const pid = pidIn(await eventually(() => logOf(running.buildId), (log) => pidIn(log) > 0, 60_000));
    expect(isAlive(pid)).toBe(true);
    // Parallelism 1: the next build waits in the queue.
    const queued = await requestBuild(builder.vhost.url, { projectId, actionId: 'canceled', source });
    await eventually(() => api(`${builder.base}/builds/${queued.buildId}`, { token: developer }), (answer) => answer.status === 200);

    const first = await api(`${builder.base}/builds/${queued.buildId}/cancel`, { method: 'POST', token: developer });
    expect([first.status, first.json()]).toMatchObject([202, { state: 'canceled', failure_reason: 'canceled by ada' }]);
    const second = await api(`${builder.base}/builds/${running.buildId}/cancel`, { method: 'POST', token: developer });
    expect([second.status, second.json()]).toMatchObject([202, { state: 'running', cancel_requested: true }]);

    const ended = await events.ending(running.buildId, 30_000);
    expect(ended.map((event) => event.type)).toEqual(['ActionBuildStarted', 'ActionBuildFailed']);
    expect(ended[1]?.message).toMatchObject({ canceled: true, reason: 'canceled by ada' });
    expect(isAlive(pid)).toBe(false);
    expect((await api(`${builder.base}/builds/${running.buildId}`, { token: developer })).json()).toMatchObject({ state: 'canceled', cancel_requested: false });
    expect(await logOf(running.buildId)).toContain(`[builder] stopping npm (process group ${pid})`);
    expect((await events.ending(queued.buildId)).map((event) => [event.type, (event.message as { canceled?: boolean }).canceled])).toEqual([['ActionBuildFailed', true]]);
  }, 120_000);
});

describe('deleting a project', () => {
  it('stops its running build and removes its builds and objects', async () => {
    const doomed = await announceProject(builder.vhost.url, builder.database.db);
    const source = await storeSource(builder.store, doomed, nodeAction('deleted-shout', 'doomed'));
    const { buildId } = await requestBuild(builder.vhost.url, { projectId: doomed, actionId: 'doomed', source });
    const token = await builder.jwks.sign({ projectId: doomed, role: 'viewer' });
    const log = async () => (await api(`${builder.base}/builds/${buildId}/logs`, { token })).text;
    const pid = pidIn(await eventually(log, (text) => pidIn(text) > 0, 60_000));
    const survivor = `action-builder/projects/${projectId}/artifacts/${'0'.repeat(64)}.tar.gz`;
    await putObjects(builder.store, [`action-builder/projects/${doomed}/builds/${buildId}/log.txt`, survivor]);

    await deleteProject(builder.vhost.url, builder.database.db, doomed);
    await eventually(async () => isAlive(pid), (alive) => !alive, 15_000);
    expect(await builder.database.db.selectFrom('builds').select('id').where('project_id', '=', doomed).execute()).toEqual([]);
    expect(await builder.database.db.selectFrom('build_log_lines').select('line_no').where('build_id', '=', buildId).execute()).toEqual([]);
    const names = await eventually(() => objectNames(builder.store), (all) => !all.some((name) => name.startsWith(`action-builder/projects/${doomed}/`)));
    expect(names).toContain(survivor);
    // The builder is free again: the next build of another project runs.
    registry.release('deleted-shout');
    const next = await requestBuild(builder.vhost.url, { projectId, actionId: 'doomed', source: await storeSource(builder.store, projectId, nodeAction('deleted-shout', 'doomed')) });
    expect((await events.ending(next.buildId)).map((event) => event.type)).toEqual(['ActionBuildStarted', 'ActionBuilt']);
    expect(events.of(buildId).map((event) => event.type)).toEqual(['ActionBuildStarted']);
  }, 120_000);
});

describe('a builder that stops', () => {
  // Last in this file: it stops the builder under test.
  it('ends its log streams and queues its running build again for the next process', async () => {
    const source = await storeSource(builder.store, projectId, nodeAction('stopped-shout', 'stopped'));
    const { buildId } = await requestBuild(builder.vhost.url, { projectId, actionId: 'stopped', source });
    const token = await builder.jwks.sign({ projectId, role: 'viewer' });
    const pid = pidIn(await eventually(() => logOf(buildId), (log) => pidIn(log) > 0, 60_000));
    const stream = await followEvents(`${builder.base}/builds/${buildId}/logs`, token);
    await eventually(async () => stream.lines(), (lines) => lines.length > 0);

    const started = Date.now();
    await builder.running.stop();
    await stream.done;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stream.state.events.at(-1)?.event).not.toBe('end');
    expect(isAlive(pid)).toBe(false);
    expect(await builder.database.db.selectFrom('builds').select(['state', 'attempt', 'lease_owner']).where('id', '=', buildId).executeTakeFirst())
      .toEqual({ state: 'queued', attempt: 1, lease_owner: null });
    expect((await events.all()).filter((event) => event.message.buildId === buildId).map((event) => event.type)).toEqual(['ActionBuildStarted']);
  }, 120_000);
});
