// Action images on the real Docker engine (TRELLIS_IMAGES=docker): the builder service builds a
// Node.js and a Python action as usual and also loads an image of each into the engine, named in
// ActionBuilt; the image runs the wrapper from a read-only container as uid 10001 and answers
// Init, Health and Run over gRPC; the same artifact gives the same image id.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionBuilt } from '../src/infrastructure/pb/action-builder/v1/events.js';
import { makeImageBuilder } from '../src/infrastructure/images/image-builder.js';
import { nodeAction, pythonAction } from './fixtures/actions.js';
import { packNpmPackage, startFakeRegistry, type FakeRegistry } from './fixtures/npm-registry.js';
import { makePythonIndex } from './fixtures/python-index.js';
import { aBuild, buildBase, docker, plain, startActionContainer, stepContext, text, wrapperClient, type ActionContainer } from './images-support.js';
import { announceProject, makeEventLog, requestBuild, storeSource, useBuilder } from './support.js';

let scratch: string;
let npm: FakeRegistry;
let indexUrl: string;
let base: string;
beforeAll(async () => {
  ({ reference: base } = await buildBase());
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-images-'));
  npm = await startFakeRegistry({ 'tiny-shout': { version: '1.0.0', tarball: await packNpmPackage(scratch, 'tiny-shout', '1.0.0') } });
  ({ indexUrl } = await makePythonIndex(path.join(scratch, 'index'), [{ name: 'tinydep', version: '1.0.0' }]));
}, 240_000);

const engine = docker();
const made = new Set<string>();
afterAll(async () => {
  await npm?.close();
  await rm(scratch, { recursive: true, force: true });
  for (const tag of made) await engine.getImage(tag).remove().catch(() => undefined);
});

const builder = useBuilder(() => ({
  TRELLIS_NPM_REGISTRY: npm.url, TRELLIS_PIP_INDEX_URL: indexUrl, TRELLIS_BUILD_PARALLELISM: '2', TRELLIS_IMAGES: 'docker',
}), path.join(tmpdir(), `trellis-builder-${randomUUID()}`));
const events = makeEventLog(() => builder.vhost.url);
let projectId: string;
beforeAll(async () => {
  projectId = await announceProject(builder.vhost.url, builder.database.db);
});

const ACTIONS = { 'img-node-shout': nodeAction('tiny-shout', 'img-node-shout'), 'img-py-shout': pythonAction('tinydep', 'img-py-shout') } as const;
type ActionId = keyof typeof ACTIONS;
const built: Partial<Record<ActionId, ActionBuilt>> = {};

async function build(actionId: ActionId): Promise<ActionBuilt> {
  const source = await storeSource(builder.store, projectId, ACTIONS[actionId]);
  const { buildId } = await requestBuild(builder.vhost.url, { projectId, actionId, source });
  const ended = await events.ending(buildId, 180_000);
  expect(ended.map((event) => event.type)).toEqual(['ActionBuildStarted', 'ActionBuilt']);
  const message = ended[1]?.message as ActionBuilt;
  for (const image of message.images) made.add(image.slice('docker='.length));
  return message;
}

const builtOf = (actionId: ActionId): ActionBuilt => {
  const message = built[actionId];
  if (!message) throw new Error(`${actionId} was not built`);
  return message;
};

describe('images loaded into the Docker engine', () => {
  it('are made for every build and named in ActionBuilt, labelled with the artifact, on the base', async () => {
    const [node, python] = await Promise.all([build('img-node-shout'), build('img-py-shout')]);
    built['img-node-shout'] = node;
    built['img-py-shout'] = python;
    const baseLayers = (await engine.getImage(base).inspect()).RootFS.Layers ?? [];
    for (const [message, runtime] of [[node, 'nodejs'], [python, 'python']] as const) {
      expect(message.images).toEqual([expect.stringMatching(new RegExp(`^docker=trellis-actions/${message.action?.id}:1\\.0\\.0-[0-9a-f]{12}$`))]);
      const reference = message.images[0]?.slice('docker='.length) ?? '';
      const image = await engine.getImage(reference).inspect();
      expect(image.Id.slice('sha256:'.length, 'sha256:'.length + 12)).toBe(reference.split('-').at(-1));
      expect(image.Config).toMatchObject({
        User: '10001:10001', WorkingDir: '/action', ExposedPorts: { '8080/tcp': {} },
        Entrypoint: ['node', '/action/wrapper/cli.js', 'action', '--host', '0.0.0.0', '--port', '8080'],
        Labels: { 'dev.trellis.action.id': message.action?.id, 'dev.trellis.action.version': '1.0.0', 'dev.trellis.action.digest': message.digest, 'dev.trellis.action.runtime': runtime },
      });
      expect(image.Config.Env).toEqual(expect.arrayContaining(['PYTHONDONTWRITEBYTECODE=1', 'PYTHONUNBUFFERED=1', 'HOME=/tmp']));
      expect(image.RootFS.Layers?.slice(0, -1)).toEqual(baseLayers);
      expect(image.RootFS.Layers).toHaveLength(baseLayers.length + 1);
    }
    expect(node.images).not.toEqual(python.images);
  }, 300_000);

  it('run the wrapper in a read-only container as uid 10001: Init, Health and a Run of the action', async () => {
    for (const actionId of ['img-node-shout', 'img-py-shout'] as const) {
      const reference = builtOf(actionId).images[0]?.slice('docker='.length) ?? '';
      let container: ActionContainer | undefined;
      const client = { current: undefined as ReturnType<typeof wrapperClient> | undefined };
      try {
        container = await startActionContainer(engine, reference);
        const started = container;
        client.current = wrapperClient(started.port);
        const wrapper = client.current;
        const health = await eventuallyHealthy(wrapper, started);
        expect(health.status).toBeDefined();
        const init = await wrapper.init();
        expect(init.action).toMatchObject({ id: actionId, version: '1.0.0', runtime: actionId === 'img-py-shout' ? 'python' : 'nodejs' });
        const ran = await wrapper.run({ text: text('hello') });
        expect(ran.error, `${JSON.stringify(ran.error)}\n${await started.logs()}`).toBeUndefined();
        expect(plain(ran.outputs['text'])).toBe('HELLO!');
      } finally {
        client.current?.close();
        await container?.remove();
      }
    }
  }, 120_000);

  it('the same artifact gives the same image id, built again; another artifact another', async () => {
    const again = await build('img-node-shout');
    const node = builtOf('img-node-shout');
    expect(again.digest).toBe(node.digest);
    expect(again.images).toEqual(node.images);
    const [first, second, python] = await Promise.all([node, again, builtOf('img-py-shout')].map((message) => engine.getImage(message.images[0]?.slice('docker='.length) ?? '').inspect()));
    expect(second?.Id).toBe(first?.Id);
    expect(python?.Id).not.toBe(first?.Id);
  }, 240_000);

  it('fail the build when the base image is missing, saying how to make it', async () => {
    const images = makeImageBuilder(engine, { base: 'trellis/action-base:absent-in-this-test', scratchDir: path.join(scratch, 'images'), cacheDir: path.join(scratch, 'cache'), registry: undefined });
    const made = await images(
      { build: aBuild('img-node-shout', ['docker']), artifact: { file: path.join(scratch, 'never-read.tar.gz'), digest: 'b'.repeat(64), size: 1 }, sites: ['docker'] },
      stepContext().context,
    );
    expect(made).toEqual({ ok: false, error: { reason: 'the action base image trellis/action-base:absent-in-this-test is not in the Docker engine: run infra/images/build-base.sh' } });
  });
});

describe('an image builder without its Docker engine', () => {
  it('fails the build as unexpected, saying in the build log that the engine cannot be reached', async () => {
    const socket = path.join(scratch, 'no-engine.sock');
    const images = makeImageBuilder(new Docker({ socketPath: socket }), { base: 'trellis/action-base:latest', scratchDir: path.join(scratch, 'images'), cacheDir: path.join(scratch, 'cache'), registry: undefined });
    const { lines, context } = stepContext();
    await expect(images({ build: aBuild('img-no-engine'), artifact: { file: path.join(scratch, 'never-read.tar.gz'), digest: 'c'.repeat(64), size: 1 }, sites: [] }, context))
      .rejects.toThrow(/cannot inspect the base image trellis\/action-base:latest in the Docker engine/);
    expect(lines.at(-1)).toMatch(new RegExp(`^\\[image\\] failed: cannot inspect the base image .*${socket}`));
  });
});

async function eventuallyHealthy(client: ReturnType<typeof wrapperClient>, container: ActionContainer) {
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      return await client.health();
    } catch (error) {
      if (Date.now() > until) throw new Error(`the wrapper in the container did not answer Health: ${(error as Error).message}\n${await container.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
