// The kubernetes site against a local server that speaks the Kubernetes API's contract for the
// calls it makes (test/kubernetes/fake-api-server.ts: apply, scale subresource, lists, watches,
// events), with its pods pointed at real wrappers of a built artifact, so every Run goes through
// the site to a wrapper. Every object the site applies is checked against the API's schemas.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActionVersionRef, Call } from '../src/application/site.js';
import type { SiteLogger } from '../src/infrastructure/local-site/local-site.js';
import type { WrapperProcess } from '../src/infrastructure/local-site/wrapper-process.js';
import { makeKubernetesSite, NO_IMAGE, type KubernetesSite } from '../src/infrastructure/kubernetes-site/kubernetes-site.js';
import type { KubernetesSiteSettings } from '../src/infrastructure/kubernetes-site/settings.js';
import { type FakeApi, type StoredObject, startFakeApi } from './kubernetes/fake-api-server.js';
import { buildProbe, type ProbeArtifact, startProbeWrapper } from './kubernetes/probe-wrapper.js';
import { allSchemaProblems, type ApiObject } from './kubernetes/schema.js';

const quiet: SiteLogger = { info: () => undefined, warn: () => undefined };
const MiB = 1024 * 1024;

/** Retries the assertion until it passes or the time is up (then its last failure). */
async function until(assertion: () => unknown, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let calls = 0;
const aCall = (inputs: Call['inputs'], fields: Partial<Call> = {}): Call => ({
  executionId: `exec-${++calls}`, idempotencyKey: `run-1:step-${calls}`, attempt: 1, inputs, outputUrls: {}, timeoutMs: 10_000, ...fields,
});

describe('the kubernetes site', () => {
  let fake: FakeApi;
  let dir = '';
  let probe: ProbeArtifact;
  let wrapper: WrapperProcess;
  const extraWrappers: WrapperProcess[] = [];
  const sites: KubernetesSite[] = [];
  /** Images the fake's registry does not have (yet). */
  const unpushed = new Set<string>();
  /** Projects whose namespaces the fake's RBAC does not let the runner put a NetworkPolicy in. */
  const noPolicies = new Set<string>();

  beforeAll(async () => {
    fake = await startFakeApi({
      readyAfterMs: 150,
      forbidden: (method, plural, namespace) => method === 'PATCH' && plural === 'networkpolicies' && noPolicies.has(namespace ?? ''),
      behaviour: (image) => (image.includes('/missing') || unpushed.has(image) ? 'pull-fails' : image.includes('/never-ready') ? 'never-ready' : image.includes('/crashing') ? 'crash-loop' : 'ready'),
    });
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-k8s-site-test-'));
    probe = await buildProbe(dir);
    wrapper = await startProbeWrapper(probe.folder);
  }, 120_000);
  afterEach(async () => {
    await Promise.all(sites.splice(0).map((site) => site.stop()));
  });
  afterAll(async () => {
    await Promise.all([wrapper, ...extraWrappers].map((w) => w?.stop(1000)));
    await fake?.close();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  const aSite = (settings: Partial<KubernetesSiteSettings> = {}, runnerId?: string, logger = quiet): KubernetesSite => {
    const site = makeKubernetesSite({
      instance: 'test-instance', namespacePrefix: 'trellis-p-', runnerNamespace: 'trellis', runnerLabels: { 'app.kubernetes.io/name': 'runner' },
      readyTimeoutMs: 5000, targetConcurrency: 2, maxReplicas: 3, idleMs: 60_000, clusterDomain: 'cluster.local', defaultCpu: 0.1, defaultMemoryBytes: 256 * MiB,
      addressOf: () => wrapper.address, ...settings,
    }, { kubeConfig: fake.kubeConfig(), logger, ...(runnerId === undefined ? {} : { runnerId }) });
    sites.push(site);
    return site;
  };
  const aRef = (fields: Partial<ActionVersionRef> = {}): ActionVersionRef => ({ ...probe.ref, projectId: randomUUID(), ...fields });
  const deploymentsIn = (namespace: string) => fake.objects('Deployment').filter((o) => o.metadata.namespace === namespace);
  const onlyDeployment = (namespace: string): StoredObject => {
    const found = deploymentsIn(namespace);
    expect(found).toHaveLength(1);
    return found[0] as StoredObject;
  };
  const replicasOf = (deployment: StoredObject) => (fake.object(`/apis/apps/v1/namespaces/${deployment.metadata.namespace ?? ''}/deployments/${deployment.metadata.name}`)?.['spec'] as { replicas?: number } | undefined)?.replicas;
  const livePods = (namespace: string) => fake.pods(namespace).filter((pod) => pod.metadata.deletionTimestamp === undefined);
  const applied = (namespace: string) => fake.requests.filter((r) => r.method === 'PATCH' && r.contentType === 'application/apply-patch+yaml' && (r.path.includes(`/namespaces/${namespace}/`) || r.path.endsWith(`/namespaces/${namespace}`)));

  it('creates the namespace, policy, Deployment and Service, all valid by the API schemas, and a Run goes through a pod', async () => {
    const site = aSite({ actionEnv: { TRELLIS_ALLOW_PRIVATE_NETWORK: 'false' } });
    const ref = aRef({ resources: { cpu: 0.25, memoryBytes: 512 * MiB } });
    const namespace = `trellis-p-${ref.projectId}`;

    expect(await site.prepare(ref)).toEqual({ ok: true, value: undefined });

    const bodies = applied(namespace).map((r) => r.body as ApiObject);
    expect(bodies.map((o) => o.kind).sort()).toEqual(['Deployment', 'Namespace', 'NetworkPolicy', 'Service']);
    expect(await allSchemaProblems(bodies)).toEqual([]);
    expect(applied(namespace).every((r) => r.query.get('fieldManager') === 'trellis-runner' && r.query.get('force') === 'true')).toBe(true);

    const byKind = (kind: string) => bodies.find((o) => o.kind === kind) as unknown as StoredObject & { spec: Record<string, unknown> };
    expect(byKind('Namespace').metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'trellis', 'dev.trellis/instance': 'test-instance', 'dev.trellis/project': ref.projectId,
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest',
    });
    expect(byKind('NetworkPolicy').spec).toEqual({
      podSelector: {}, policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'trellis' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'runner' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    const deployment = byKind('Deployment');
    const name = deployment.metadata.name;
    expect(name).toMatch(/^site-probe-[0-9a-f]{20}$/);
    expect(deployment.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'trellis', 'dev.trellis/instance': 'test-instance', 'dev.trellis/project': ref.projectId, 'dev.trellis/action': 'site-probe',
      'dev.trellis/version': '1.0.0', 'dev.trellis/digest': ref.digest.slice(0, 63), 'dev.trellis/action-deployment': name,
    });
    expect(deployment.metadata.annotations).toMatchObject({ 'dev.trellis/artifact-digest': ref.digest, 'dev.trellis/image': ref.image });
    const spec = deployment.spec as { replicas?: number; template: { spec: { automountServiceAccountToken: boolean; securityContext: unknown; containers: Record<string, unknown>[]; volumes: unknown } } };
    expect(spec.replicas).toBeUndefined(); // the scale subresource's
    const pod = spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(pod.containers[0]).toMatchObject({
      image: ref.image, imagePullPolicy: 'IfNotPresent', ports: [{ name: 'grpc', containerPort: 8080, protocol: 'TCP' }],
      env: [{ name: 'TRELLIS_ALLOW_PRIVATE_NETWORK', value: 'false' }],
      resources: { requests: { cpu: '250m', memory: String(512 * MiB) }, limits: { cpu: '250m', memory: String(512 * MiB) } },
      securityContext: { runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      readinessProbe: { tcpSocket: { port: 'grpc' } }, livenessProbe: { tcpSocket: { port: 'grpc' } },
    });
    expect(byKind('Service').spec).toMatchObject({ type: 'ClusterIP', selector: { 'dev.trellis/action-deployment': name }, ports: [{ name: 'grpc', port: 8080, targetPort: 'grpc' }] });

    const call = aCall({ mode: 'context' });
    const outcome = await site.call(ref, call);
    expect(outcome).toMatchObject({ ok: true, outputs: { result: { idempotencyKey: call.idempotencyKey, attempt: 1, executionId: call.executionId } } });
    expect(site.stats()).toEqual([expect.objectContaining({ projectId: ref.projectId, actionVersion: 'site-probe@1.0.0', state: 'ready', processes: 1, inFlight: 0 })]);
  });

  it('takes the defaults for requests when the manifest gives none, and another resource profile is another Deployment', async () => {
    const site = aSite();
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    expect((await site.prepare(ref)).ok).toBe(true);
    expect((await site.prepare({ ...ref, resources: { cpu: 1 } })).ok).toBe(true);
    const resources = deploymentsIn(namespace).map((d) => (d['spec'] as { template: { spec: { containers: { resources: { requests: unknown } }[] } } }).template.spec.containers[0]?.resources.requests);
    expect(resources).toEqual(expect.arrayContaining([{ cpu: '100m', memory: String(256 * MiB) }, { cpu: '1000m', memory: String(256 * MiB) }]));
    expect(resources).toHaveLength(2);
  });

  it('prepares idempotently: the same objects, one Deployment at one replica, one pod', async () => {
    const site = aSite();
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    expect((await site.prepare(ref)).ok).toBe(true);
    const first = structuredClone(onlyDeployment(namespace));
    expect((await site.prepare(ref)).ok).toBe(true);
    expect((await aSite().prepare(ref)).ok).toBe(true); // another runner process, or this one restarted
    const again = onlyDeployment(namespace);
    expect(again['spec']).toEqual(first['spec']);
    expect(again.metadata.generation).toBe(1);
    expect(replicasOf(again)).toBe(1);
    expect(livePods(namespace)).toHaveLength(1);
    expect(fake.objects('Namespace').filter((n) => n.metadata.name === namespace)).toHaveLength(1);
  });

  it('waits for readiness through a watch of the pods, and keeps watching when the server ends the watch', async () => {
    const site = aSite();
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    const started = Date.now();
    expect((await site.prepare(ref)).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140); // the fake's pod is Ready after 150 ms
    const name = onlyDeployment(namespace).metadata.name;
    const watches = fake.requests.filter((r) => r.path === `/api/v1/namespaces/${namespace}/pods` && r.query.get('watch') === 'true');
    expect(watches).toHaveLength(1);
    expect(watches[0]?.query.get('labelSelector')).toBe(`dev.trellis/action-deployment=${name}`);
    expect(watches[0]?.query.get('resourceVersion')).toMatch(/^\d+$/);

    fake.endWatches();
    await until(() => expect(fake.requests.filter((r) => r.path === `/api/v1/namespaces/${namespace}/pods` && r.query.get('watch') === 'true')).toHaveLength(2), 5000);
    fake.restartContainer(namespace, livePods(namespace)[0]?.metadata.name ?? '');
    await until(() => expect(site.stats()[0]?.restarts).toBe(1), 5000);
    // The restarted pod serves again once its Init answers.
    expect(await site.call(ref, aCall({ mode: 'pid' }))).toMatchObject({ ok: true, outputs: { result: { pid: wrapper.pid } } });
  });

  it('fails prepare with the registry\'s answer when the image cannot be pulled, and stops trying', async () => {
    const site = aSite();
    const image = `registry:5000/trellis/missing@sha256:${'ab'.repeat(32)}`;
    const ref = aRef({ image });
    const outcome = await site.prepare(ref);
    expect(outcome).toEqual({ ok: false, error: { reason: `site-probe@1.0.0 could not be started on kubernetes: image ${image} cannot be pulled: Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found` } });
    expect(replicasOf(onlyDeployment(`trellis-p-${ref.projectId}`))).toBe(0);
  });

  it('prepares again once the image is there (the failed attempt\'s pod does not count)', async () => {
    const site = aSite();
    const image = `registry:5000/trellis/late@sha256:${'cd'.repeat(32)}`;
    const ref = aRef({ image });
    unpushed.add(image);
    expect(await site.prepare(ref)).toMatchObject({ ok: false, error: { reason: expect.stringContaining(`image ${image} cannot be pulled`) } });
    unpushed.delete(image); // pushed now
    expect(await site.prepare(ref)).toEqual({ ok: true, value: undefined });
    expect(await site.call(ref, aCall({ mode: 'pid' }))).toMatchObject({ ok: true });
  });

  it('fails prepare with the events when the pod does not become ready in time, or keeps crashing', async () => {
    const site = aSite({ readyTimeoutMs: 1000 });
    const never = await site.prepare(aRef({ image: 'registry:5000/trellis/never-ready@sha256:00' }));
    expect(never.ok).toBe(false);
    const reason = never.ok ? '' : never.error.reason;
    expect(reason).toMatch(/^site-probe@1\.0\.0 could not be started on kubernetes: the pod did not become ready within 1 s: /);
    expect(reason).toMatch(/Pod\/site-probe-[0-9a-f]+-\S+: Warning Unhealthy: Readiness probe failed: dial tcp 10\.1\.0\.\d+:8080: connect: connection refused/);

    const crashing = await site.prepare(aRef({ image: 'registry:5000/trellis/crashing@sha256:00' }));
    expect(crashing.ok ? '' : crashing.error.reason).toMatch(/the action's container keeps crashing \(CrashLoopBackOff after 3 restarts, last exit code 1 \(Error\): the wrapper cannot load handler\.js\): .*Warning BackOff/);
  });

  it('fails prepare with the API\'s message when it refuses (RBAC), and tries again next time', async () => {
    const site = aSite();
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    noPolicies.add(namespace);
    expect(await site.prepare(ref)).toEqual({ ok: false, error: { reason: `site-probe 1.0.0 could not be deployed on kubernetes: the Kubernetes API refused (HTTP 403): networkpolicies "trellis-actions" is forbidden: User "system:serviceaccount:trellis:runner" cannot patch resource "networkpolicies" in API group "networking.k8s.io" in the namespace "${namespace}"` } });
    expect(deploymentsIn(namespace)).toEqual([]);
    noPolicies.delete(namespace);
    expect(await site.prepare(ref)).toEqual({ ok: true, value: undefined });
  });

  it('releases a version it never prepared (the runner restarted since): nothing to delete is fine', async () => {
    const events: string[] = [];
    const site = aSite({}, undefined, { info: (event: string) => events.push(event), warn: (event: string) => events.push(event) });
    const ref = aRef();
    await site.release(ref);
    expect(fake.requests.filter((r) => r.method === 'DELETE' && r.path.includes(`/namespaces/trellis-p-${ref.projectId}/`)).map((r) => r.path.split('/').at(-2))).toEqual(['deployments', 'services']);
    expect(events).toEqual(['action deployment deleted']);
    expect(site.stats()).toEqual([]);
  });

  it('refuses a version without an image', async () => {
    const site = aSite();
    const { image: _image, ...withoutImage } = aRef();
    expect(await site.prepare(withoutImage)).toEqual({ ok: false, error: { reason: NO_IMAGE } });
    expect(await site.call(withoutImage, aCall({ mode: 'pid' }))).toMatchObject({ ok: false, failure: { kind: 'unavailable', message: NO_IMAGE } });
  });

  it('scales up through the scale subresource when calls exceed the target per replica, spreads calls over the pods, and scales down after', async () => {
    // Each pod its own wrapper, so where a call ran shows.
    const wrappers = await Promise.all([1, 2, 3].map(() => startProbeWrapper(probe.folder)));
    extraWrappers.push(...wrappers);
    const assigned = new Map<string, string>();
    const site = aSite({
      targetConcurrency: 2, maxReplicas: 3, scaleDownEveryMs: 1500,
      addressOf: ({ pod }) => {
        if (!assigned.has(pod)) assigned.set(pod, (wrappers[assigned.size % wrappers.length] as WrapperProcess).address);
        return assigned.get(pod) ?? '';
      },
    });
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    expect((await site.prepare(ref)).ok).toBe(true);
    const deployment = onlyDeployment(namespace);

    const burst = await Promise.all([1, 2, 3, 4, 5, 6].map(() => site.call(ref, aCall({ mode: 'sleep', ms: 700 }))));
    expect(burst.every((outcome) => outcome.ok)).toBe(true);
    const scales = fake.requests.filter((r) => r.method === 'PATCH' && r.path === `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment.metadata.name}/scale`);
    expect(scales.at(-1)).toMatchObject({ contentType: 'application/merge-patch+json', body: { spec: { replicas: 3 } } });
    expect(scales.every((r) => r.query.get('fieldManager') === 'trellis-runner')).toBe(true);
    await until(() => expect(site.stats()[0]?.processes).toBe(3), 5000);

    const spread = await Promise.all([1, 2, 3].map(() => site.call(ref, aCall({ mode: 'sleep', ms: 300 }))));
    expect(spread.map((outcome) => (outcome.ok ? outcome.outputs['result'] : undefined))).toEqual([{ running: 1 }, { running: 1 }, { running: 1 }]);

    // No calls for a window: back to one replica, the pods let go marked as the ones to remove.
    await until(() => expect(replicasOf(deployment)).toBe(1), 8000);
    const marked = fake.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith(`/api/v1/namespaces/${namespace}/pods/`));
    expect(marked).toHaveLength(2);
    expect(marked[0]?.body).toEqual({ metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-1000' } } });
    await until(() => expect(livePods(namespace)).toHaveLength(1), 5000);
    expect(await site.call(ref, aCall({ mode: 'pid' }))).toMatchObject({ ok: true });
  });

  it('gives a Python version a replica per call in flight (its wrapper runs one execution at a time)', async () => {
    const site = aSite({ targetConcurrency: 8, maxReplicas: 3 });
    const ref = aRef({ runtime: 'python' });
    const namespace = `trellis-p-${ref.projectId}`;
    expect((await site.prepare(ref)).ok).toBe(true);
    const outcomes = await Promise.all([1, 2, 3].map(() => site.call(ref, aCall({ mode: 'sleep', ms: 300 }))));
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(replicasOf(onlyDeployment(namespace))).toBe(3);
  });

  it('scales to zero after idle and back to one on the next call (a cold start)', async () => {
    const site = aSite({ idleMs: 400 });
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    expect((await site.prepare(ref)).ok).toBe(true);
    expect((await site.call(ref, aCall({ mode: 'pid' }))).ok).toBe(true);
    const deployment = onlyDeployment(namespace);
    await until(() => {
      expect(replicasOf(deployment)).toBe(0);
      expect(fake.pods(namespace)).toHaveLength(0);
      expect(site.stats()[0]).toMatchObject({ state: 'idle', processes: 0 });
    }, 5000);

    const outcome = await site.call(ref, aCall({ mode: 'pid' }));
    expect(outcome).toMatchObject({ ok: true, outputs: { result: { pid: wrapper.pid } } });
    expect(replicasOf(deployment)).toBe(1);
    expect(site.stats()[0]).toMatchObject({ state: 'ready', processes: 1, coldStarts: 1 });
    expect(site.stats()[0]?.lastColdStartMs).toBeGreaterThanOrEqual(140);
  });

  it('does not scale to zero while another runner process is busy with the version (its busy mark on the Deployment)', async () => {
    const idleMs = 600;
    const a = aSite({ idleMs }, 'runner-a');
    const b = aSite({ idleMs }, 'runner-b');
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    expect((await a.prepare(ref)).ok).toBe(true);
    expect((await a.call(ref, aCall({ mode: 'pid' }))).ok).toBe(true);
    const deployment = onlyDeployment(namespace);
    const scaledToZero = () => fake.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${deployment.metadata.name}/scale`) && (r.body as { spec: { replicas: number } }).spec.replicas === 0);

    // b calls for well over a's idle time; a, idle all along, leaves the replicas alone.
    const stopAt = Date.now() + idleMs * 3;
    while (Date.now() < stopAt) expect((await b.call(ref, aCall({ mode: 'sleep', ms: 100 }))).ok).toBe(true);
    expect(scaledToZero()).toEqual([]);
    expect(fake.object(`/apis/apps/v1/namespaces/${namespace}/deployments/${deployment.metadata.name}`)?.metadata.annotations).toMatchObject({ 'busy.dev.trellis/runner-b': expect.any(String) });

    // b idle too: to zero once its mark lapses.
    await until(() => expect(replicasOf(deployment)).toBe(0), 5000);
  });

  it('deletes the Deployment and Service on release; the namespace stays for the project\'s other versions', async () => {
    const site = aSite();
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    expect((await site.prepare(ref)).ok).toBe(true);
    const name = onlyDeployment(namespace).metadata.name;
    await site.release(ref);
    expect(fake.object(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`)).toBeUndefined();
    expect(fake.object(`/api/v1/namespaces/${namespace}/services/${name}`)).toBeUndefined();
    expect(fake.object(`/api/v1/namespaces/${namespace}`)).toBeDefined();
    expect(site.stats()).toEqual([]);
    await until(() => expect(fake.pods(namespace)).toHaveLength(0), 5000);
  });

  it('fails a call runtime_crashed when its pod dies mid-run, and the restarted container serves the next', async () => {
    let current = await startProbeWrapper(probe.folder);
    extraWrappers.push(current);
    const site = aSite({ addressOf: () => current.address });
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    expect((await site.prepare(ref)).ok).toBe(true);

    const running = site.call(ref, aCall({ mode: 'sleep', ms: 5000 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await current.stop(0); // the container dies
    expect(await running).toMatchObject({ ok: false, failure: { kind: 'runtime_crashed' } });

    current = await startProbeWrapper(probe.folder); // the kubelet restarts it
    extraWrappers.push(current);
    fake.restartContainer(namespace, livePods(namespace)[0]?.metadata.name ?? '');
    await until(async () => expect(await site.call(ref, aCall({ mode: 'pid' }))).toMatchObject({ ok: true, outputs: { result: { pid: current.pid } } }), 5000);
  });

  it('replaces the pod of a Node handler that ran past its timeout (it cannot be stopped inside its wrapper)', async () => {
    const site = aSite();
    const ref = aRef();
    const namespace = `trellis-p-${ref.projectId}`;
    expect((await site.prepare(ref)).ok).toBe(true);
    const before = livePods(namespace)[0]?.metadata.name;
    expect(await site.call(ref, aCall({ mode: 'sleep', ms: 3000 }, { timeoutMs: 300 }))).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
    await until(() => expect(fake.requests.some((r) => r.method === 'DELETE' && r.path === `/api/v1/namespaces/${namespace}/pods/${before ?? ''}`)).toBe(true));
    await until(() => expect(livePods(namespace).map((pod) => pod.metadata.name)).not.toContain(before), 5000);
    expect(await site.call(ref, aCall({ mode: 'pid' }))).toMatchObject({ ok: true });
  });
});
