// Action images pushed to a registry (TRELLIS_IMAGES=registry): the builder service pushes each
// build's image per the OCI distribution spec to a registry of the test's own (token exchange,
// digests and content lengths checked), names it by manifest digest for the docker and kubernetes
// sites, and the Docker engine pulls it back as the same image and runs it.
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImageBuilder } from '../src/infrastructure/images/image-builder.js';
import type { ActionBuilt } from '../src/infrastructure/pb/action-builder/v1/events.js';
import { nodeAction } from './fixtures/actions.js';
import { packNpmPackage, startFakeRegistry, type FakeRegistry } from './fixtures/npm-registry.js';
import { startTestRegistry, type TestRegistry } from '@trellis/platform/testing/oci-registry';
import { aBuild, buildBase, docker, plain, startActionContainer, stepContext, text, wrapperClient } from './images-support.js';
import { announceProject, makeEventLog, requestBuild, storeSource, useBuilder } from './support.js';

const CREDENTIALS = { user: 'builder', password: randomUUID() };
const BASE_REPOSITORY = 'trellis/action-base';
const ACTION = 'reg-node-shout';

let scratch: string;
let npm: FakeRegistry;
let registry: TestRegistry;
let base: string;
beforeAll(async () => {
  ({ reference: base } = await buildBase());
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-images-registry-'));
  npm = await startFakeRegistry({ 'tiny-shout': { version: '1.0.0', tarball: await packNpmPackage(scratch, 'tiny-shout', '1.0.0') } });
  // The base's repository takes docker push without a login (build-base.sh --push below).
  registry = await startTestRegistry(CREDENTIALS, [BASE_REPOSITORY]);
}, 240_000);

const engine = docker();
const pulled = new Set<string>();
afterAll(async () => {
  for (const reference of pulled) await engine.getImage(reference).remove({ force: true }).catch(() => undefined);
  // build-base.sh --push tagged the base with this registry's name: untag (the base stays).
  for (const image of await engine.listImages({ filters: { reference: [`${registry?.host}/${BASE_REPOSITORY}`] } })) {
    for (const tag of image.RepoTags ?? []) if (tag.startsWith(`${registry?.host}/`)) await engine.getImage(tag).remove().catch(() => undefined);
  }
  await npm?.close();
  await registry?.close();
  await rm(scratch, { recursive: true, force: true });
});

const builder = useBuilder(() => ({
  TRELLIS_NPM_REGISTRY: npm.url, TRELLIS_IMAGES: 'registry', TRELLIS_IMAGE_REGISTRY: `${registry.host}/trellis/actions`,
  TRELLIS_IMAGE_REGISTRY_USER: CREDENTIALS.user, TRELLIS_IMAGE_REGISTRY_PASSWORD: CREDENTIALS.password, TRELLIS_IMAGE_REGISTRY_INSECURE: '1',
}), path.join(tmpdir(), `trellis-builder-${randomUUID()}`));
const events = makeEventLog(() => builder.vhost.url);
let projectId: string;
beforeAll(async () => {
  projectId = await announceProject(builder.vhost.url, builder.database.db);
});

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const REPOSITORY = `trellis/actions/${ACTION}`;

async function build(): Promise<ActionBuilt> {
  const source = await storeSource(builder.store, projectId, nodeAction('tiny-shout', ACTION));
  const { buildId } = await requestBuild(builder.vhost.url, { projectId, actionId: ACTION, source });
  const ended = await events.ending(buildId, 180_000);
  expect(ended.map((event) => event.type)).toEqual(['ActionBuildStarted', 'ActionBuilt']);
  return ended[1]?.message as ActionBuilt;
}

let first: ActionBuilt | undefined;
const digestOf = (message: ActionBuilt | undefined) => message?.images[0]?.split('@')[1] ?? '';

describe('images pushed to a registry', () => {
  it('are pushed with the registry\'s token, named by manifest digest for the docker and kubernetes sites', async () => {
    first = await build();
    const reference = `${registry.host}/${REPOSITORY}@${digestOf(first)}`;
    expect(first.images).toEqual([`docker=${reference}`, `kubernetes=${reference}`]);
    const manifest = registry.manifest(REPOSITORY, digestOf(first));
    if (!manifest) throw new Error('the registry has no such manifest');
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const document = JSON.parse(manifest.body.toString('utf8')) as { config: { digest: string; mediaType: string }; layers: { digest: string; mediaType: string }[] };
    const config = registry.blob(REPOSITORY, document.config.digest);
    if (!config) throw new Error('the registry has no config blob');
    const parsed = JSON.parse(config.toString('utf8')) as { rootfs: { diff_ids: string[] }; config: { Labels: Record<string, string> } };
    // Uncompressed layers: each layer's blob digest is its diffID.
    expect(parsed.rootfs.diff_ids).toEqual(document.layers.map((layer) => layer.digest));
    for (const layer of document.layers) expect(sha256(registry.blob(REPOSITORY, layer.digest) ?? Buffer.alloc(0))).toBe(layer.digest);
    expect(document.layers.map((layer) => layer.mediaType)).toEqual(document.layers.map(() => 'application/vnd.oci.image.layer.v1.tar'));
    expect(parsed.rootfs.diff_ids.slice(0, -1)).toEqual((await engine.getImage(base).inspect()).RootFS.Layers);
    expect(parsed.config.Labels['dev.trellis.action.digest']).toBe(first.digest);
    expect(registry.requests.some((request) => request.path === '/token' && request.status === 200)).toBe(true);
    expect(registry.requests.filter((request) => request.method === 'PUT').map((request) => request.status)).toEqual([201, 201, 201, 201]);
  }, 300_000);

  it('pull into the Docker engine as the same image, which runs the action', async () => {
    const reference = first?.images[0]?.slice('docker='.length) ?? '';
    const stream = await engine.pull(reference);
    await new Promise((resolve, reject) => engine.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(undefined))));
    pulled.add(reference);
    const image = await engine.getImage(reference).inspect();
    const manifest = JSON.parse(registry.manifest(REPOSITORY, digestOf(first))?.body.toString('utf8') ?? '{}') as { config: { digest: string } };
    expect(image.Id).toBe(manifest.config.digest);
    const container = await startActionContainer(engine, reference);
    const client = wrapperClient(container.port);
    try {
      const until = Date.now() + 20_000;
      for (;;) {
        const answered = await client.health().then(() => true, () => false);
        if (answered) break;
        if (Date.now() > until) throw new Error(`no Health from the pulled image:\n${await container.logs()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const ran = await client.run({ text: text('pulled') });
      expect(plain(ran.outputs['text'])).toBe('PULLED!');
    } finally {
      client.close();
      await container.remove();
    }
  }, 120_000);

  it('the same artifact built again is the same image, and no blob is uploaded twice', async () => {
    const before = registry.requests.length;
    const again = await build();
    expect(again.digest).toBe(first?.digest);
    expect(again.images).toEqual(first?.images);
    const since = registry.requests.slice(before);
    expect(since.filter((request) => request.method === 'POST')).toEqual([]);
    expect(since.filter((request) => request.method === 'HEAD').map((request) => request.status)).toEqual([200, 200, 200]);
  }, 240_000);

  it('a registry that refuses the credentials fails the push, saying so in the build log', async () => {
    const artifact = path.join(scratch, 'artifact.tar.gz');
    await builder.store.store.client.fGetObject(builder.store.config.bucket, first?.artifactObject ?? '', artifact);
    const wrong = randomUUID();
    const images = makeImageBuilder(engine, {
      base, scratchDir: path.join(scratch, 'images'), cacheDir: path.join(scratch, 'cache'),
      registry: { host: registry.host, prefix: 'trellis/actions', user: CREDENTIALS.user, password: wrong, insecure: true },
    });
    const { lines, context } = stepContext();
    await expect(images({ build: aBuild('reg-refused'), artifact: { file: artifact, digest: first?.digest ?? '', size: 1 }, sites: [] }, context)).rejects.toThrow(/refused a token for the push: HTTP 401/);
    expect(lines.at(-1)).toMatch(/^\[image\] failed: the registry refused a token/);
    expect(lines.join('\n')).not.toContain(wrong);
  }, 120_000);
});

describe('a base image in the registry (TRELLIS_IMAGE_BASE=<registry>/<repository>:<tag>)', () => {
  /** The builder with a Docker client on a socket where no engine is: the base must come from the registry. */
  const withoutEngine = () => makeImageBuilder(new Docker({ socketPath: path.join(scratch, 'no-engine.sock') }), {
    base: `${registry.host}/${BASE_REPOSITORY}:latest`, scratchDir: path.join(scratch, 'images'), cacheDir: path.join(scratch, 'registry-cache'),
    registry: { host: registry.host, prefix: 'trellis/actions', user: CREDENTIALS.user, password: CREDENTIALS.password, insecure: true },
  });
  const artifact = async () => {
    const file = path.join(scratch, 'artifact-for-base.tar.gz');
    await builder.store.store.client.fGetObject(builder.store.config.bucket, first?.artifactObject ?? '', file);
    return { file, digest: first?.digest ?? '', size: 1 };
  };
  const configDigest = (repository: string, digest: string) =>
    (JSON.parse(registry.manifest(repository, digest)?.body.toString('utf8') ?? '{}') as { config?: { digest: string } }).config?.digest;

  it('is pushed there by build-base.sh --push', async () => {
    const pushed = await buildBase(['--push', `${registry.host}/${BASE_REPOSITORY}`]);
    expect(pushed.reference).toMatch(new RegExp(`^${registry.host}/${BASE_REPOSITORY}:[0-9a-f]{12}$`));
    expect(registry.manifest(BASE_REPOSITORY, 'latest')?.digest).toBe(registry.manifest(BASE_REPOSITORY, pushed.reference.split(':').at(-1) ?? '')?.digest);
  }, 240_000);

  it('is read from the registry with no Docker engine, its layers mounted: the same image id as on the engine\'s base', async () => {
    const { lines, context } = stepContext();
    const made = await withoutEngine()({ build: aBuild(ACTION), artifact: await artifact(), sites: ['kubernetes'] }, context);
    if (!made.ok) throw new Error(made.error.reason);
    const digest = made.value[0]?.split('@')[1] ?? '';
    expect(made.value).toEqual([`docker=${registry.host}/${REPOSITORY}@${digest}`, `kubernetes=${registry.host}/${REPOSITORY}@${digest}`]);
    const baseManifest = JSON.parse(registry.manifest(BASE_REPOSITORY, 'latest')?.body.toString('utf8') ?? '{}') as { layers: { digest: string }[] };
    const manifest = JSON.parse(registry.manifest(REPOSITORY, digest)?.body.toString('utf8') ?? '{}') as { layers: { digest: string; mediaType: string }[] };
    // docker push compressed the base's layer; the action's manifest names the same blob, as OCI.
    expect(manifest.layers[0]).toEqual({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: baseManifest.layers[0]?.digest, size: expect.any(Number) });
    expect(registry.requests).toContainEqual({ method: 'POST', path: `/v2/${REPOSITORY}/blobs/uploads/`, status: 201 });
    expect(registry.requests.filter((request) => request.method === 'GET' && request.path.startsWith(`/v2/${BASE_REPOSITORY}/blobs/`) && request.path !== `/v2/${BASE_REPOSITORY}/blobs/${configDigest(BASE_REPOSITORY, registry.manifest(BASE_REPOSITORY, 'latest')?.digest ?? '')}`)).toEqual([]);
    // Same action, artifact and base layers (by diffID): the same image id as the first push, whose base came from the
    // engine uncompressed; another manifest, since it names the base's compressed blob.
    expect(configDigest(REPOSITORY, digest)).toBe(configDigest(REPOSITORY, digestOf(first)));
    expect(digest).not.toBe(digestOf(first));
    expect(lines.join('\n')).toContain(`on ${registry.host}/${BASE_REPOSITORY}:latest`);
    const reference = made.value[0]?.slice('docker='.length) ?? '';
    const stream = await engine.pull(reference);
    await new Promise((resolve, reject) => engine.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(undefined))));
    pulled.add(reference);
    expect((await engine.getImage(reference).inspect()).Id).toBe(configDigest(REPOSITORY, digest));
  }, 120_000);

  it('is copied through the builder when the registry does not mount it', async () => {
    registry.mounts = false;
    try {
      const made = await withoutEngine()({ build: aBuild('reg-copied'), artifact: await artifact(), sites: [] }, stepContext().context);
      if (!made.ok) throw new Error(made.error.reason);
      const baseLayer = (JSON.parse(registry.manifest(BASE_REPOSITORY, 'latest')?.body.toString('utf8') ?? '{}') as { layers: { digest: string }[] }).layers[0]?.digest ?? '';
      expect(registry.requests).toContainEqual({ method: 'GET', path: `/v2/${BASE_REPOSITORY}/blobs/${baseLayer}`, status: 200 });
      expect(registry.blob('trellis/actions/reg-copied', baseLayer)?.equals(registry.blob(BASE_REPOSITORY, baseLayer) ?? Buffer.alloc(0))).toBe(true);
    } finally {
      registry.mounts = true;
    }
  }, 120_000);

  it('missing from the registry fails the build, saying how to push it', async () => {
    const images = makeImageBuilder(new Docker({ socketPath: path.join(scratch, 'no-engine.sock') }), {
      base: `${registry.host}/trellis/no-base:latest`, scratchDir: path.join(scratch, 'images'), cacheDir: path.join(scratch, 'registry-cache'),
      registry: { host: registry.host, prefix: 'trellis/actions', user: CREDENTIALS.user, password: CREDENTIALS.password, insecure: true },
    });
    const made = await images({ build: aBuild('reg-no-base'), artifact: await artifact(), sites: [] }, stepContext().context);
    expect(made).toEqual({ ok: false, error: { reason: `the action base image ${registry.host}/trellis/no-base:latest is not in the registry: push it with infra/images/build-base.sh --push ${registry.host}/trellis/no-base` } });
  });
});
