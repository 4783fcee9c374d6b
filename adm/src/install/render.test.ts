import { fileURLToPath } from 'node:url';
import { publicKeyOf } from '@trellis/platform/crypto/sealed-box';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { dryRunYaml } from './dry-run.js';
import { readInfraFiles } from './infra-files.js';
import { renderManifests, type InfraFiles, type K8sObject } from './render.js';
import { secretValues, type Generators } from './secret-values.js';
import { allSchemaProblems } from './validate.js';
import { parseValues, type InstallValues } from './values.js';

const k8sDir = fileURLToPath(new URL('../../../infra/k8s', import.meta.url));
const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
let counter = 0;
/** Recognizable values, so a leak is found by a plain search. */
const generators: Generators = {
  token: () => `tok-${String(++counter).padStart(4, '0')}-SECRETVALUE`,
  key: () => `key-${String(++counter).padStart(4, '0')}-SECRETVALUE`,
  sealingPair: () => ({ privateKey: 'sealing-private-SECRETVALUE', publicKey: 'sealing-public-SECRETVALUE' }),
};
const external = { TRELLIS_PG_ADMIN_URL: 'postgres://admin:pg-SECRETVALUE@pg:5432/postgres', TRELLIS_RABBITMQ_ADMIN_USER: 'admin', TRELLIS_RABBITMQ_ADMIN_PASSWORD: 'mq-SECRETVALUE', TRELLIS_S3_ACCESS_KEY: 'ak-SECRETVALUE', TRELLIS_S3_SECRET_KEY: 'sk-SECRETVALUE' };

async function render(values: InstallValues = {}, infra?: InfraFiles): Promise<K8sObject[]> {
  const secrets = secretValues(external, generators);
  return renderManifests({ infra: infra ?? (await readInfraFiles(k8sDir)), values, secretData: secrets.data });
}

const find = (objects: K8sObject[], kind: string, name: string): K8sObject & Record<string, unknown> => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`${kind}/${name} not rendered`);
  return found;
};

const VALUES = `
namespace: trellis-prod
image: { registry: registry.example.com/team, tag: 0.2.0 }
replicas: { runner: 3, gateway: 4 }
resources:
  runner: { requests: { cpu: 500m, memory: 1Gi }, limits: { cpu: "4", memory: 4Gi } }
ingress: { host: trellis.example.com, className: nginx, tlsSecret: trellis-tls }
storage: { endpoint: "https://s3.example.com", bucket: prod-trellis, region: eu-west-1 }
config: { TRELLIS_PG_HOST: db.example.com, TRELLIS_LOG_LEVEL: debug }
`;

describe('renderManifests', () => {
  it('renders every object of infra/k8s plus the Secret and the gateway ConfigMap, each valid against the Kubernetes OpenAPI schema and with no unknown field', async () => {
    for (const values of [{}, (parseValues(VALUES) as { ok: true; values: InstallValues }).values]) {
      const objects = await render(values);
      expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'ConfigMap', 'NetworkPolicy', 'Service', 'Deployment', 'PodDisruptionBudget', 'Job', 'Ingress']));
      expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['action-builder', 'authorization', 'gateway', 'repository', 'runner', 'studio']);
      expect(await allSchemaProblems(objects)).toEqual([]);
    }
  });

  it('orders them so that nothing is applied before what it refers to', async () => {
    const kinds = (await render()).map((o) => o.kind);
    const order = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'ConfigMap', 'NetworkPolicy', 'Service', 'Deployment', 'PodDisruptionBudget', 'Job', 'Ingress'];
    expect(kinds.filter((kind) => !order.includes(kind))).toEqual([]);
    expect(kinds).toEqual([...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(kinds[0]).toBe('Namespace');
    expect(kinds.at(-1)).toBe('Ingress');
  });

  it('does what kustomize does: namespace, part-of label, release tags, a hashed gateway ConfigMap that the gateway mounts', async () => {
    const objects = await render();
    expect(objects.filter((o) => !CLUSTER_SCOPED.includes(o.kind)).every((o) => o.metadata.namespace === 'trellis')).toBe(true);
    expect(objects.filter((o) => CLUSTER_SCOPED.includes(o.kind)).map((o) => [o.kind, o.metadata.name, o.metadata.namespace])).toEqual([
      ['Namespace', 'trellis', undefined], ['ClusterRole', 'trellis-runner', undefined], ['ClusterRoleBinding', 'trellis-runner', undefined],
    ]);
    expect(objects.every((o) => o.metadata.labels?.['app.kubernetes.io/part-of'] === 'trellis')).toBe(true);
    const gatewayMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('trellis-gateway-'));
    expect(gatewayMap?.metadata.name).toMatch(/^trellis-gateway-[a-z0-9]{10}$/);
    expect(JSON.stringify(find(objects, 'Deployment', 'gateway'))).toContain(`"name":"${gatewayMap?.metadata.name}"`);
    expect(JSON.stringify(find(objects, 'Deployment', 'runner'))).toContain('"image":"trellis/app:0.1.0"');
  });

  it('takes --values: namespace (also in the services\' URLs), registry and tag, replicas, resources, ingress, storage and config', async () => {
    const parsed = parseValues(VALUES);
    if (!parsed.ok) throw new Error(parsed.error);
    const objects = await render(parsed.values);
    expect(find(objects, 'Namespace', 'trellis-prod')).toBeDefined();
    expect(objects.filter((o) => !CLUSTER_SCOPED.includes(o.kind)).every((o) => o.metadata.namespace === 'trellis-prod')).toBe(true);
    const runner = find(objects, 'Deployment', 'runner');
    const text = JSON.stringify(runner);
    expect(text).toContain('"image":"registry.example.com/team/trellis/app:0.2.0"');
    expect(text).toContain('http://authorization.trellis-prod.svc:8080/');
    expect(text).not.toContain('.trellis.svc');
    expect((runner['spec'] as { replicas: number }).replicas).toBe(3);
    expect((find(objects, 'Deployment', 'gateway')['spec'] as { replicas: number }).replicas).toBe(4);
    expect((find(objects, 'Deployment', 'studio')['spec'] as { replicas: number }).replicas).toBe(2);
    expect(text).toContain('"resources":{"requests":{"cpu":"500m","memory":"1Gi"},"limits":{"cpu":"4","memory":"4Gi"}}');
    expect(JSON.stringify(find(objects, 'Deployment', 'gateway'))).toContain('"image":"registry.example.com/team/trellis/gateway:0.2.0"');
    expect(find(objects, 'Ingress', 'trellis')['spec']).toMatchObject({ ingressClassName: 'nginx', rules: [{ host: 'trellis.example.com' }], tls: [{ hosts: ['trellis.example.com'], secretName: 'trellis-tls' }] });
    expect(find(objects, 'ConfigMap', 'trellis-config')['data']).toMatchObject({ TRELLIS_S3_ENDPOINT: 'https://s3.example.com', TRELLIS_S3_BUCKET: 'prod-trellis', TRELLIS_S3_REGION: 'eu-west-1', TRELLIS_PG_HOST: 'db.example.com', TRELLIS_LOG_LEVEL: 'debug', TRELLIS_HTTP_PORT: '8080' });
  });

  it('moves the runner\'s rights with the namespace: its own ClusterRole and binding, for the ServiceAccount there; the site is told where the runner is', async () => {
    const objects = await render({ namespace: 'trellis-prod' });
    expect(objects.filter((o) => CLUSTER_SCOPED.includes(o.kind)).every((o) => o.metadata.namespace === undefined)).toBe(true);
    expect(find(objects, 'ClusterRole', 'trellis-prod-runner')).toBeDefined();
    expect(find(objects, 'ClusterRoleBinding', 'trellis-prod-runner')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'trellis-prod-runner' },
      subjects: [{ kind: 'ServiceAccount', name: 'runner', namespace: 'trellis-prod' }],
    });
    expect(find(objects, 'ServiceAccount', 'runner').metadata.namespace).toBe('trellis-prod');
    expect(find(objects, 'ConfigMap', 'trellis-config')['data']).toMatchObject({ TRELLIS_K8S_RUNNER_NAMESPACE: 'trellis-prod' });
  });

  it('leaves out the disruption budget of a Deployment given fewer than 2 replicas (it would block every drain)', async () => {
    const budgets = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name).sort();
    expect(budgets(await render())).toEqual(['action-builder', 'authorization', 'gateway', 'repository', 'runner', 'studio']);
    expect(budgets(await render({ replicas: { studio: 1, runner: 0, gateway: 3 } }))).toEqual(['action-builder', 'authorization', 'gateway', 'repository']);
  });

  it('lets only the Ingress controller\'s namespace of --values reach the gateway', async () => {
    const policy = (objects: K8sObject[]) => JSON.stringify(find(objects, 'NetworkPolicy', 'gateway-from-ingress-controller')['spec']);
    expect(policy(await render())).toContain('"values":["ingress-nginx","kube-system"]');
    expect(policy(await render({ ingress: { controllerNamespace: 'traefik' } }))).toContain('"values":["traefik"]');
  });

  it('gives the Secret every key the manifests read from it', async () => {
    const objects = await render();
    const keys = Object.keys(find(objects, 'Secret', 'trellis-secrets')['stringData'] as object);
    const read = new Set([...JSON.stringify(objects).matchAll(/"secretKeyRef":\{"name":"trellis-secrets","key":"([A-Z0-9_]+)"\}/g)].map((m) => m[1]));
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((k) => k !== undefined && !keys.includes(k))).toEqual([]);
  });
});

describe('dryRunYaml', () => {
  it('shows every object and no secret value', async () => {
    const objects = await render();
    const text = dryRunYaml(objects);
    expect(text).not.toContain('SECRETVALUE');
    expect(text).toContain('TRELLIS_RUNNER_DB_PASSWORD: <redacted, ');
    expect(parseAllDocuments(text).map((d) => (d.toJSON() as K8sObject).kind)).toEqual(objects.map((o) => o.kind));
    // The objects themselves keep their values (only the printout hides them).
    expect(JSON.stringify(find(objects, 'Secret', 'trellis-secrets'))).toContain('SECRETVALUE');
  });
});

describe('secretValues', () => {
  it('names the external credentials that are missing, and lets the operator pin any value', () => {
    const { data, missing, generated } = secretValues({ TRELLIS_S3_ACCESS_KEY: 'ak', TRELLIS_RUNNER_DB_PASSWORD: 'pinned' }, generators);
    expect(missing).toEqual(['TRELLIS_PG_ADMIN_URL', 'TRELLIS_RABBITMQ_ADMIN_USER', 'TRELLIS_RABBITMQ_ADMIN_PASSWORD', 'TRELLIS_S3_SECRET_KEY']);
    expect(data['TRELLIS_RUNNER_DB_PASSWORD']).toBe('pinned');
    expect(data['TRELLIS_RUNNER_PUBLIC_KEY']).toBe('sealing-public-SECRETVALUE');
    expect(generated).not.toContain('TRELLIS_RUNNER_DB_PASSWORD');
    expect(generated).toContain('TRELLIS_STUDIO_DB_PASSWORD');
    expect(generated).not.toContain('TRELLIS_S3_ACCESS_KEY');
  });

  it('makes the runner\'s key pair as `keys runner` does: the public key studio seals to opens with the runner\'s key', () => {
    const { data } = secretValues({});
    expect(publicKeyOf(data['TRELLIS_RUNNER_SEALING_KEY'] ?? '')).toBe(data['TRELLIS_RUNNER_PUBLIC_KEY']);
    expect(Buffer.from(data['TRELLIS_SECRET_KEY'] ?? '', 'base64')).toHaveLength(32);
    expect(data['TRELLIS_RUNNER_DB_PASSWORD']).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(data['TRELLIS_RUNNER_DB_PASSWORD']).not.toBe(data['TRELLIS_STUDIO_DB_PASSWORD']);
  });
});

describe('parseValues', () => {
  it.each([
    ['replicas: { runner: -1 }', 'replicas.runner: must be a whole number >= 0'],
    ['namespace: Not_A_Name', 'namespace: not a valid namespace name (a DNS label)'],
    ['imag: {}', 'imag: unknown (known: namespace, image, replicas, resources, ingress, storage, config, secrets)'],
    ['ingress: { hots: x }', 'ingress.hots: unknown (known: host, className, tlsSecret, controllerNamespace)'],
    ['resources: { runner: { limit: {} } }', 'resources.runner: limit: unknown (known: requests, limits)'],
    ['- a list', 'must be a mapping'],
  ])('refuses %s', (text, error) => {
    expect(parseValues(text)).toEqual({ ok: false, error });
  });

  it('takes an empty file', () => {
    expect(parseValues('')).toEqual({ ok: true, values: {} });
  });
});
