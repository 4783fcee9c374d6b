// The docker site on the machine's real Docker engine: action images made from real artifacts on
// the action base image (infra/images/build-base.sh), containers started, called, killed,
// scaled to zero and removed as the runner does; file values through the store gateway.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';
import { startTestRegistry } from '@trellis/platform/testing/oci-registry';
import type { ActionVersionRef, Call } from '../src/application/site.js';
import { type DockerSite, type DockerSiteSettings, startDockerSite } from '../src/infrastructure/docker-site/docker-site.js';
import { LABEL } from '../src/infrastructure/docker-site/labels.js';
import { buildTestImages, ensureBaseImage } from './docker/images.js';

const docker = new Docker();
const quiet = { info: () => undefined, warn: () => undefined };
const instance = `test-${randomUUID().slice(0, 8)}`;
const projectId = randomUUID();

let calls = 0;
const aCall = (inputs: Call['inputs'], fields: Partial<Call> = {}): Call => ({
  executionId: `exec-${++calls}`, idempotencyKey: `run-1:step-${calls}`, attempt: 1, inputs, outputUrls: {}, timeoutMs: 20_000, ...fields,
});

/** The runner processes the tests' sites stand for: those not here are dead. */
const liveRunners = new Set<string>();
const siteSettings = (runnerId: string, fields: Partial<DockerSiteSettings> = {}): DockerSiteSettings => {
  liveRunners.add(runnerId);
  return {
    instance, runnerId, storeEndpoint: store.config.endpoint, network: `trellis-actions-${instance}`, liveRunners: async () => liveRunners,
    containerConcurrency: 4, maxContainers: 3, idleMs: 60_000, defaultMemoryBytes: 256 * 1024 * 1024, healthIntervalMs: 500, ...fields,
  };
};
let store: TestObjectStore;

const containersOf = async (filter: Record<string, string> = {}) => docker.listContainers({
  all: true, filters: { label: [`${LABEL.instance}=${instance}`, ...Object.entries(filter).map(([key, value]) => `${key}=${value}`)] },
});

describe('the docker site', () => {
  let dir: string;
  let site: DockerSite;
  let probe: ActionVersionRef;
  let pyProbe: ActionVersionRef;
  let upper: ActionVersionRef;

  beforeAll(async () => {
    store = await startTestObjectStore();
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-docker-site-'));
    await ensureBaseImage();
    const refs = await buildTestImages(dir, projectId, ['services/runner/test/actions/site-probe', 'services/runner/test/actions/slow-print-py', 'services/runner/test/actions/file-upper']);
    [probe, pyProbe, upper] = refs.map((ref): ActionVersionRef => ({ ...ref, site: 'docker' })) as [ActionVersionRef, ActionVersionRef, ActionVersionRef];
    site = await startDockerSite(docker, siteSettings(randomUUID(), { actionEnv: { TRELLIS_ALLOW_PRIVATE_NETWORK: 'true' } }), quiet);
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
    for (const container of await containersOf()) await docker.getContainer(container.Id).remove({ force: true });
    await docker.getNetwork(`trellis-actions-${instance}`).remove().catch(() => undefined);
    await store?.close?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prepares a version in a labelled, locked-down container whose port is published on 127.0.0.1 only, and calls it', async () => {
    expect(await site.prepare(probe)).toEqual({ ok: true, value: undefined });
    const [container] = await containersOf({ [LABEL.action]: 'site-probe' });
    expect(container?.Labels).toMatchObject({ [LABEL.project]: projectId, [LABEL.version]: probe.version, [LABEL.digest]: probe.digest });
    expect(container?.Ports.filter((port) => port.PublicPort !== undefined).map((port) => port.IP)).toEqual(['127.0.0.1']);
    const details = await docker.getContainer(container!.Id).inspect();
    expect(details.HostConfig).toMatchObject({ ReadonlyRootfs: true, CapDrop: ['ALL'], Memory: 256 * 1024 * 1024 });
    expect(details.Config.User).toBe('10001:10001');

    const outcome = await site.call(probe, aCall({ mode: 'context' }));
    expect(outcome).toMatchObject({ ok: true, outputs: { result: { attempt: 1 } } });
    // The instance's settings for actions reach the container, and nothing of the runner's environment.
    const seen = await site.call(probe, aCall({ mode: 'env' }));
    expect(seen).toMatchObject({ ok: true, outputs: { result: { allowPrivateNetwork: 'true' } } });
    expect((seen as unknown as { outputs: { result: { names: string[] } } }).outputs.result.names.filter((name) => /DATABASE|S3_|SECRET|KEY/.test(name))).toEqual([]);
  }, 60_000);

  it('reads file inputs and writes file outputs from inside the container through presigned URLs', async () => {
    const { client } = store.store;
    const bucket = store.config.bucket;
    await client.putObject(bucket, 'in/doc.txt', Buffer.from('hello from the host\n'));
    const outcome = await site.call(upper, aCall(
      { doc: { url: await client.presignedGetObject(bucket, 'in/doc.txt', 600), name: 'doc.txt', size: 20 } },
      { outputUrls: { upper: await client.presignedPutObject(bucket, 'out/upper.txt', 600) } },
    ));
    expect(outcome).toMatchObject({ ok: true, outputs: { bytes: 20 } });
    const written = await client.getObject(bucket, 'out/upper.txt');
    const chunks: Buffer[] = [];
    for await (const chunk of written) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('HELLO FROM THE HOST\n');
  }, 60_000);

  it('fails a call whose container is killed with runtime_crashed, and the next call runs in a new container', async () => {
    await site.call(probe, aCall({ mode: 'context' }));
    const [before] = await containersOf({ [LABEL.action]: 'site-probe' });
    const slow = site.call(probe, aCall({ mode: 'sleep', ms: 10_000 }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await docker.getContainer(before!.Id).kill();
    expect(await slow).toMatchObject({ ok: false, failure: { kind: 'runtime_crashed' } });
    expect(await site.call(probe, aCall({ mode: 'context' }))).toMatchObject({ ok: true });
    const after = (await containersOf({ [LABEL.action]: 'site-probe' })).filter((container) => container.State === 'running');
    expect(after.map((container) => container.Id)).not.toContain(before!.Id);
    expect(after).toHaveLength(1);
  }, 60_000);

  it('starts more containers when the calls need them (Python runs one at a time per container), up to the limit', async () => {
    const outcomes = await Promise.all(Array.from({ length: 3 }, () => site.call(pyProbe, aCall({ ms: 1500 }))));
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect((await containersOf({ [LABEL.action]: 'slow-print-py' })).length).toBe(3);
    expect(site.stats().find((stats) => stats.actionVersion === 'slow-print-py@1.0.0')?.processes).toBe(3);
  }, 90_000);

  it('scales a version to zero and back, and removes every container once released', async () => {
    expect(await site.scaleToZero(probe)).toBe('stopped');
    expect(await containersOf({ [LABEL.action]: 'site-probe' })).toHaveLength(0);
    expect(await site.call(probe, aCall({ mode: 'context' }))).toMatchObject({ ok: true });
    expect(await containersOf({ [LABEL.action]: 'site-probe' })).toHaveLength(1);
    for (const ref of [probe, pyProbe, upper]) await site.release(ref);
    await eventually(containersOf, (left) => left.length === 0, 20_000);
  }, 60_000);

  it('refuses a version without an image, and a missing image, with the reason', async () => {
    const withoutImage: ActionVersionRef = { ...probe, image: undefined, version: '9.9.9' } as ActionVersionRef;
    const refused = await site.prepare(withoutImage);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.reason).toMatch(/no image for the docker site/);
    const missing = await site.prepare({ ...probe, version: '9.9.8', image: 'trellis-actions/none:missing' });
    expect(!missing.ok && missing.error.reason).toMatch(/not in the Docker engine/);
  }, 30_000);

  it('pulls an image the builder pushed to a registry (TRELLIS_IMAGES=registry) before its first container, and says when it cannot', async () => {
    const registry = await startTestRegistry({ user: 'u', password: 'p' }, ['trellis/site-probe']);
    const docker = (args: string[]) => promisify(execFile)('docker', args);
    try {
      const pushed = `${registry.host}/trellis/site-probe:pulled`;
      await docker(['tag', probe.image!, pushed]);
      await docker(['push', pushed]);
      await docker(['rmi', pushed]);
      // Other resources: other containers than the probe's own (the same version, from the registry's image).
      const fromRegistry: ActionVersionRef = { ...probe, image: pushed, resources: { memoryBytes: 300 * 1024 * 1024 } };
      const prepared = await site.prepare(fromRegistry);
      expect(prepared, JSON.stringify(prepared)).toEqual({ ok: true, value: undefined });
      // The engine asked the registry (its layers were there already: the image it was tagged from).
      expect(registry.requests.some((request) => request.method !== 'PUT' && request.path.endsWith('/manifests/pulled'))).toBe(true);
      expect(await site.call(fromRegistry, aCall({ mode: 'context' }))).toMatchObject({ ok: true });
      await site.release(fromRegistry);
      const absent = await site.prepare({ ...probe, version: '1.0.2', image: `${registry.host}/trellis/site-probe:absent` });
      expect(!absent.ok && absent.error.reason).toMatch(/cannot be pulled/);
    } finally {
      await registry.close();
      await docker(['rmi', `${registry.host}/trellis/site-probe:pulled`]).catch(() => undefined);
    }
  }, 120_000);

  it('removes, at start, the containers of a runner that died, and leaves a live runner\'s alone', async () => {
    const other = await startDockerSite(docker, siteSettings(randomUUID(), { maxContainers: 1 }), quiet);
    expect(await other.prepare(probe)).toMatchObject({ ok: true });
    const [live] = await containersOf({ [LABEL.action]: 'site-probe' });
    const dead = await docker.createContainer({ Image: probe.image!, Labels: { ...live!.Labels, [LABEL.runner]: randomUUID() } });
    await docker.getContainer(dead.id).start();
    await startDockerSite(docker, siteSettings(randomUUID(), { maxContainers: 1 }), quiet).then((third) => third.stop());
    const left = (await containersOf()).map((container) => container.Id);
    expect(left).toContain(live!.Id);
    expect(left).not.toContain(dead.id);
    await other.stop();
    expect(await containersOf()).toHaveLength(0);
    await site.stop();
    // The last site of the instance to stop removes its network.
    await expect(docker.getNetwork(`trellis-actions-${instance}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 60_000);
});
