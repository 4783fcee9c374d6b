// `trellis-adm install --target kubernetes` against a fake Kubernetes API server made here (no
// cluster runs on these machines): a node:http server that answers discovery, server-side apply,
// reads and events as the API does, and records every request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { install, type InstallIo } from '../src/commands/install.js';
import { loadCluster } from '../src/install/apply.js';
import type { Generators } from '../src/install/secret-values.js';

type Recorded = { method: string; path: string; query: URLSearchParams; contentType: string; body: unknown };

/** Resources per group version, as GET /api/v1 and /apis/<group>/<version> list them. */
const RESOURCES: Record<string, { kind: string; name: string; namespaced: boolean }[]> = {
  '/api/v1': [
    { kind: 'Namespace', name: 'namespaces', namespaced: false },
    { kind: 'ServiceAccount', name: 'serviceaccounts', namespaced: true },
    { kind: 'Secret', name: 'secrets', namespaced: true },
    { kind: 'ConfigMap', name: 'configmaps', namespaced: true },
    { kind: 'Service', name: 'services', namespaced: true },
    { kind: 'Event', name: 'events', namespaced: true },
  ],
  '/apis/apps/v1': [{ kind: 'Deployment', name: 'deployments', namespaced: true }],
  '/apis/batch/v1': [{ kind: 'Job', name: 'jobs', namespaced: true }],
  '/apis/networking.k8s.io/v1': [
    { kind: 'Ingress', name: 'ingresses', namespaced: true },
    { kind: 'NetworkPolicy', name: 'networkpolicies', namespaced: true },
  ],
  '/apis/policy/v1': [{ kind: 'PodDisruptionBudget', name: 'poddisruptionbudgets', namespaced: true }],
  '/apis/rbac.authorization.k8s.io/v1': [
    { kind: 'ClusterRole', name: 'clusterroles', namespaced: false },
    { kind: 'ClusterRoleBinding', name: 'clusterrolebindings', namespaced: false },
  ],
};

type FakeOptions = {
  /** PATCH of this resource plural is refused with 403 and a Status body. */
  refuse?: string;
  /** Deployments never become available. */
  unavailable?: boolean;
  /** The Secret that exists already (its data base64, as the API returns it). */
  existingSecret?: Record<string, string>;
};

type Fake = { server: Server; url: string; requests: Recorded[] };

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function startFake(options: FakeOptions = {}): Promise<Fake> {
  const requests: Recorded[] = [];
  const applied = new Map<string, { spec?: { replicas?: number } }>();
  const handle = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const body = text === '' ? undefined : (JSON.parse(text) as unknown);
    requests.push({ method: req.method ?? '', path, query: url.searchParams, contentType: req.headers['content-type'] ?? '', body });
    if (path === '/version') return json(res, { major: '1', minor: '30', gitVersion: 'v1.30.0-fake' });
    const group = RESOURCES[path];
    if (req.method === 'GET' && group !== undefined) {
      return json(res, { kind: 'APIResourceList', groupVersion: path.replace(/^\/apis?\//, ''), resources: group.map((r) => ({ ...r, singularName: '', verbs: ['get', 'patch'] })) });
    }
    const match = /^\/apis?\/(?:[^/]+\/)?v1\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?$/.exec(path);
    if (match === null) return status(res, 404, 'NotFound', `no route ${path}`);
    const [, namespace, plural, name] = match;
    if (req.method === 'PATCH') {
      if (plural === options.refuse) return status(res, 403, 'Forbidden', `${plural} "${name}" is forbidden: User "system:serviceaccount:ci:deployer" cannot patch resource "${plural}" in API group "" in the namespace "${namespace}"`);
      applied.set(path, body as { spec?: { replicas?: number } });
      return json(res, body);
    }
    if (req.method === 'GET' && plural === 'secrets') {
      if (options.existingSecret === undefined) return status(res, 404, 'NotFound', `secrets "${name}" not found`);
      return json(res, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data: options.existingSecret });
    }
    if (req.method === 'GET' && plural === 'deployments' && name !== undefined) {
      const replicas = applied.get(path)?.spec?.replicas ?? 1;
      const available = options.unavailable === true ? 0 : replicas;
      return json(res, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, generation: 1 }, spec: { replicas },
        status: { observedGeneration: 1, availableReplicas: available, conditions: available === 0 ? [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }] : [] },
      });
    }
    if (req.method === 'GET' && plural === 'events') {
      return json(res, { apiVersion: 'v1', kind: 'EventList', metadata: {}, items: [
        { metadata: { name: 'e1', namespace }, involvedObject: { kind: 'Pod', name: 'authorization-6d4f9-x2k' }, type: 'Warning', reason: 'Failed', message: 'Failed to pull image "trellis/app:0.1.0": not found' },
        { metadata: { name: 'e2', namespace }, involvedObject: { kind: 'Pod', name: 'other-1' }, type: 'Normal', reason: 'Pulled', message: 'unrelated' },
      ] });
    }
    return status(res, 404, 'NotFound', `${plural} "${name ?? ''}" not found`);
  };
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => handle(req, res, text));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'deployer', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'deployer' }],
    currentContext: 'fake',
  });
  return kc;
}

let counter = 0;
const generators: Generators = {
  token: () => `tok${++counter}SECRETVALUE`,
  key: () => `key${++counter}SECRETVALUE`,
  sealingPair: () => ({ privateKey: 'privSECRETVALUE', publicKey: 'pubSECRETVALUE' }),
};
const external = { TRELLIS_PG_ADMIN_URL: 'postgres://a:pgSECRETVALUE@pg/postgres', TRELLIS_RABBITMQ_ADMIN_USER: 'admin', TRELLIS_RABBITMQ_ADMIN_PASSWORD: 'mqSECRETVALUE', TRELLIS_S3_ACCESS_KEY: 'akSECRETVALUE', TRELLIS_S3_SECRET_KEY: 'skSECRETVALUE' };

type Run = { code: number; stdout: string; stderr: string };

async function run(args: string[], server: string | undefined, env: NodeJS.ProcessEnv = external): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: InstallIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
    k8sDir: fileURLToPath(new URL('../../infra/k8s', import.meta.url)),
    cluster: () => (server === undefined ? { ok: false, reason: 'no kubeconfig (KUBECONFIG, ~/.kube/config) and not inside a cluster' } : { ok: true, kc: kubeConfigFor(server), server }),
    generators,
    pollMs: 20,
  };
  const code = await install(args, io);
  return { code, stdout, stderr };
}

const PATHS: Record<string, (ns: string, name: string) => string> = {
  Namespace: (_, name) => `/api/v1/namespaces/${name}`,
  ServiceAccount: (ns, name) => `/api/v1/namespaces/${ns}/serviceaccounts/${name}`,
  ClusterRole: (_, name) => `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`,
  ClusterRoleBinding: (_, name) => `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${name}`,
  Secret: (ns, name) => `/api/v1/namespaces/${ns}/secrets/${name}`,
  ConfigMap: (ns, name) => `/api/v1/namespaces/${ns}/configmaps/${name}`,
  Service: (ns, name) => `/api/v1/namespaces/${ns}/services/${name}`,
  Deployment: (ns, name) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
  Job: (ns, name) => `/apis/batch/v1/namespaces/${ns}/jobs/${name}`,
  NetworkPolicy: (ns, name) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${name}`,
  PodDisruptionBudget: (ns, name) => `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${name}`,
  Ingress: (ns, name) => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${name}`,
};
const ORDER = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'ConfigMap', 'NetworkPolicy', 'Service', 'Deployment', 'PodDisruptionBudget', 'Job', 'Ingress'];
const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];

describe('trellis-adm install --target kubernetes', () => {
  let dir: string;
  const fakes: Fake[] = [];
  const fake = async (options?: FakeOptions): Promise<Fake> => {
    const f = await startFake(options);
    fakes.push(f);
    return f;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trellis-install-'));
  });
  afterAll(async () => {
    for (const f of fakes) f.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies every object by server-side apply, in dependency order, each at its kind\'s API path, then waits for the Deployments', async () => {
    const f = await fake();
    const values = join(dir, 'values.yaml');
    await writeFile(values, 'replicas: { runner: 2 }\ningress: { host: trellis.example.com }\n');
    const result = await run(['--target', 'kubernetes', '--namespace', 'trellis-test', '--values', values], f.url);
    expect(result.stderr).toContain('installed; every Deployment is available');
    expect(result.code).toBe(0);
    const patches = f.requests.filter((r) => r.method === 'PATCH');
    // Namespace, ServiceAccount, ClusterRole + binding, Secret, 2 ConfigMaps, 2 NetworkPolicies,
    // 6 Services, 6 Deployments, 6 PodDisruptionBudgets, the Job, the Ingress.
    expect(patches.length).toBe(29);
    for (const p of patches) {
      const body = p.body as { kind: string; metadata: { name: string; namespace?: string } };
      expect(p.contentType).toBe('application/apply-patch+yaml');
      expect(p.query.get('fieldManager')).toBe('trellis-adm');
      expect(p.query.get('force')).toBe('true');
      expect(p.path).toBe(PATHS[body.kind]?.('trellis-test', body.metadata.name));
      // Cluster-scoped objects at a path without a namespace, and none in their body.
      expect(body.metadata.namespace).toBe(CLUSTER_SCOPED.includes(body.kind) ? undefined : 'trellis-test');
    }
    const kinds = patches.map((p) => (p.body as { kind: string }).kind);
    expect(kinds).toEqual([...kinds].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)));
    expect(kinds[0]).toBe('Namespace');
    // The values reached the cluster, the Secret too (its values are for the cluster only).
    expect(JSON.stringify(patches.find((p) => p.path.endsWith('/deployments/runner'))?.body)).toContain('"replicas":2');
    expect(JSON.stringify(patches.find((p) => p.path.endsWith('/ingresses/trellis'))?.body)).toContain('"host":"trellis.example.com"');
    expect(JSON.stringify(patches.find((p) => p.path.endsWith('/secrets/trellis-secrets'))?.body)).toContain('akSECRETVALUE');
    // The runner's rights, for its ServiceAccount in this namespace.
    expect(patches.find((p) => p.path === '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/trellis-test-runner')?.body).toMatchObject({
      roleRef: { name: 'trellis-test-runner' }, subjects: [{ kind: 'ServiceAccount', name: 'runner', namespace: 'trellis-test' }],
    });
    expect(patches.map((p) => p.path)).toEqual(expect.arrayContaining(['/apis/rbac.authorization.k8s.io/v1/clusterroles/trellis-test-runner', '/apis/policy/v1/namespaces/trellis-test/poddisruptionbudgets/runner']));
    // Each Deployment read after every apply.
    const lastPatch = f.requests.lastIndexOf(patches.at(-1) as Recorded);
    const reads = f.requests.filter((r, i) => i > lastPatch && r.method === 'GET' && r.path.includes('/deployments/')).map((r) => r.path.split('/').pop());
    expect(new Set(reads)).toEqual(new Set(['authorization', 'studio', 'repository', 'action-builder', 'runner', 'gateway']));
    expect(result.stdout + result.stderr).not.toContain('SECRETVALUE');
  });

  it('keeps the generated values of a Secret that exists (a second install does not change the databases\' passwords), not the ones given again', async () => {
    const existing = { TRELLIS_RUNNER_DB_PASSWORD: Buffer.from('the-old-password').toString('base64'), TRELLIS_S3_SECRET_KEY: Buffer.from('the-old-s3-key').toString('base64') };
    const f = await fake({ existingSecret: existing });
    const result = await run(['--target', 'kubernetes'], f.url);
    expect(result.code).toBe(0);
    const secret = f.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/secrets/trellis-secrets'))?.body as { stringData: Record<string, string> };
    expect(secret.stringData['TRELLIS_RUNNER_DB_PASSWORD']).toBe('the-old-password');
    expect(secret.stringData['TRELLIS_STUDIO_DB_PASSWORD']).toMatch(/SECRETVALUE$/);
    expect(secret.stringData['TRELLIS_S3_SECRET_KEY']).toBe('skSECRETVALUE');
  });

  it('stops at a refusal with one line naming the object, the status and the API\'s message', async () => {
    const f = await fake({ refuse: 'deployments' });
    const result = await run(['--target', 'kubernetes'], f.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Deployment\/authorization: refused by the cluster \(HTTP 403\): deployments "authorization" is forbidden: User "system:serviceaccount:ci:deployer" cannot patch/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Nothing after the refused object was sent.
    expect(f.requests.filter((r) => r.method === 'PATCH').map((r) => (r.body as { kind: string }).kind)).not.toContain('Job');
  });

  it('says which Deployment is not available and shows its pods\' events', async () => {
    const f = await fake({ unavailable: true });
    const result = await run(['--target', 'kubernetes', '--timeout', '0.2'], f.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Deployment/authorization not available in time (0/2 available, Available: MinimumReplicasUnavailable Deployment does not have minimum availability.)');
    expect(result.stderr).toContain('Pod/authorization-6d4f9-x2k: Warning Failed: Failed to pull image "trellis/app:0.1.0": not found');
    expect(result.stderr).not.toContain('unrelated');
  });

  it('with no cluster answering: says so, prints what it would apply with secrets redacted, exit 1', async () => {
    const closed = await startFake();
    const url = closed.url;
    await new Promise((resolve) => closed.server.close(resolve));
    const result = await run(['--target', 'kubernetes'], url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no Kubernetes cluster answers at ${url}`);
    expect(result.stdout).toContain('kind: Deployment');
    expect(result.stdout).toContain('TRELLIS_RUNNER_DB_PASSWORD: <redacted, ');
    expect(result.stdout).not.toContain('SECRETVALUE');
    const noConfig = await run(['--target', 'kubernetes'], undefined);
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toContain('no Kubernetes cluster answers: no kubeconfig');
  });

  it('--dry-run prints the manifests, secrets redacted, and exits 0 without a cluster', async () => {
    const result = await run(['--target', 'kubernetes', '--dry-run'], undefined, {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('kind: Namespace');
    expect(result.stdout).not.toContain('SECRETVALUE');
    expect(result.stderr).toContain('warning: the Secret lacks TRELLIS_PG_ADMIN_URL');
  });

  it('refuses an apply without the external credentials, before anything is sent', async () => {
    const f = await fake();
    const result = await run(['--target', 'kubernetes'], f.url, {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the Secret lacks TRELLIS_PG_ADMIN_URL, TRELLIS_RABBITMQ_ADMIN_USER');
    expect(f.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it.each([
    [['--dry-run'], '--target is required (kubernetes)'],
    [['--target', 'docker'], 'unknown target docker (kubernetes is the only one)'],
    [['--target', 'kubernetes', '--values', '/nonexistent/values.yaml'], '/nonexistent/values.yaml: cannot be read (ENOENT)'],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await run(args, undefined);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('loadCluster', () => {
  it('finds the cluster of KUBECONFIG, and says when there is no kubeconfig at all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trellis-kubeconfig-'));
    try {
      const file = join(dir, 'config');
      await writeFile(file, 'apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "https://k8s.example.com:6443" } }]\nusers: [{ name: u, user: { token: t } }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\ncurrent-context: x\n');
      const found = loadCluster({ KUBECONFIG: file, HOME: dir });
      expect(found.ok && found.server).toBe('https://k8s.example.com:6443');
      expect(loadCluster({ HOME: dir })).toEqual({ ok: false, reason: 'no kubeconfig (KUBECONFIG, ~/.kube/config) and not inside a cluster' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
