// The platform on Kubernetes (issue 17): what infra/k8s renders to, as `kubectl apply -k` and
// `trellis-adm install --target kubernetes` apply it, checked against the Kubernetes API's schemas
// and against what running every service with two replicas needs: disruption budgets, spread,
// probes, resources, the runner's rights (and only the runner's), network policies.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { readInfraFiles } from '../../adm/src/install/infra-files.js';
import { renderManifests, type K8sObject } from '../../adm/src/install/render.js';
import { allSchemaProblems } from '../../adm/src/install/validate.js';
import { hasKubectl } from './kubectl.js';

// TRELLIS_INFRA_TEST_ROOT: the same checks on another tree laid out like the repository (to see them fail).
const root = process.env['TRELLIS_INFRA_TEST_ROOT'] ?? fileURLToPath(new URL('../..', import.meta.url));
const k8sDir = join(root, 'infra', 'k8s');

/** A value per key of the Secret template that a plain search finds wherever it leaks. */
const template = parse(readFileSync(join(k8sDir, 'secret.example.yaml'), 'utf8')) as { stringData: Record<string, string> };
const secretData = Object.fromEntries(Object.keys(template.stringData).map((key) => [key, `leak-${key.toLowerCase()}-0f3a9c`]));

const objects = renderManifests({ infra: await readInfraFiles(k8sDir), values: {}, secretData });
const ofKind = (kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
const named = (kind: string, name: string): K8sObject | undefined => objects.find((o) => o.kind === kind && o.metadata.name === name);

type Probe = { httpGet?: { path: string; port: string | number }; periodSeconds?: number; failureThreshold?: number };
type Container = {
  name: string;
  image?: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};
type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  topologySpreadConstraints?: { maxSkew: number; topologyKey: string; whenUnsatisfiable: string; labelSelector?: { matchLabels?: Record<string, string> } }[];
};
type Workload = K8sObject & { spec: { replicas?: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };
type Budget = K8sObject & { spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector: { matchLabels?: Record<string, string> } } };
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Peer = { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown; ipBlock?: unknown };
type Policy = K8sObject & { spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[]; ingress?: { from?: Peer[]; ports?: unknown[] }[] } };

const deployments = ofKind('Deployment') as Workload[];
const podsOf = (o: K8sObject): PodSpec | undefined => (o as Partial<Workload>).spec?.template?.spec;
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
  Object.keys(selector ?? {}).length > 0 && Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

describe('infra/k8s rendered (kubectl apply -k, trellis-adm install)', () => {
  it('holds every kind the platform needs, each object valid against the Kubernetes OpenAPI schema with no unknown field', async () => {
    expect(new Set(objects.map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(new Set([
      'v1 Namespace', 'v1 ServiceAccount', 'rbac.authorization.k8s.io/v1 ClusterRole', 'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
      'v1 Secret', 'v1 ConfigMap', 'networking.k8s.io/v1 NetworkPolicy', 'v1 Service', 'apps/v1 Deployment',
      'policy/v1 PodDisruptionBudget', 'batch/v1 Job', 'networking.k8s.io/v1 Ingress',
    ]));
    expect(await allSchemaProblems(objects)).toEqual([]);
  });

  it('runs every Deployment with 2 replicas or more, spread over nodes without ever blocking a pod', () => {
    const problems: string[] = [];
    for (const d of deployments) {
      if ((d.spec.replicas ?? 1) < 2) problems.push(`${d.metadata.name}: ${d.spec.replicas ?? 1} replica`);
      const spread = d.spec.template.spec.topologySpreadConstraints ?? [];
      const byNode = spread.find((c) => c.topologyKey === 'kubernetes.io/hostname');
      if (byNode === undefined || !selects(byNode.labelSelector?.matchLabels, d.spec.template.metadata.labels)) problems.push(`${d.metadata.name}: no spread over nodes of its own pods`);
      if (spread.some((c) => c.whenUnsatisfiable !== 'ScheduleAnyway')) problems.push(`${d.metadata.name}: a spread that can leave a pod pending`);
    }
    expect(problems).toEqual([]);
  });

  it('gives every multi-replica Deployment a PodDisruptionBudget (minAvailable 1) that selects its pods, and no budget without a Deployment', () => {
    const budgets = ofKind('PodDisruptionBudget') as Budget[];
    const problems: string[] = [];
    for (const d of deployments.filter((x) => (x.spec.replicas ?? 1) >= 2)) {
      const mine = budgets.filter((b) => selects(b.spec.selector.matchLabels, d.spec.template.metadata.labels));
      if (mine.length !== 1) problems.push(`${d.metadata.name}: ${mine.length} budgets`);
      else if (mine[0]?.spec.minAvailable !== 1 || mine[0].spec.maxUnavailable !== undefined) problems.push(`${d.metadata.name}: budget is not minAvailable 1`);
    }
    for (const b of budgets) {
      if (!deployments.some((d) => selects(b.spec.selector.matchLabels, d.spec.template.metadata.labels))) problems.push(`PodDisruptionBudget ${b.metadata.name} selects no Deployment`);
    }
    expect(problems).toEqual([]);
  });

  it('probes every container of every Deployment (readiness and liveness over HTTP on a port it has; a startup probe for the services) and sizes it', () => {
    const problems: string[] = [];
    for (const d of deployments) {
      for (const c of d.spec.template.spec.containers) {
        const where = `${d.metadata.name}/${c.name}`;
        const ports = new Set((c.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
        for (const [kind, probe] of [['readiness', c.readinessProbe], ['liveness', c.livenessProbe]] as const) {
          if (probe?.httpGet === undefined) problems.push(`${where}: no ${kind} probe`);
          else if (!ports.has(probe.httpGet.port)) problems.push(`${where}: ${kind} probe on port ${probe.httpGet.port}, not one of its ports`);
        }
        if (d.metadata.name !== 'gateway' && c.startupProbe?.httpGet === undefined) problems.push(`${where}: no startup probe (a slow start would be killed by liveness)`);
      }
      for (const c of [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])]) {
        for (const part of ['requests', 'limits'] as const) for (const r of ['cpu', 'memory']) if (c.resources?.[part]?.[r] === undefined) problems.push(`${d.metadata.name}/${c.name}: no ${part}.${r}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('migrates each service\'s schema in an init container, with the service\'s own image and URLs, before it starts (no new pod on an old schema)', () => {
    const problems: string[] = [];
    for (const d of deployments.filter((x) => x.metadata.name !== 'gateway')) {
      const pod = d.spec.template.spec;
      const main = pod.containers[0];
      const migrate = pod.initContainers?.find((c) => c.name === 'migrate');
      const service = d.metadata.name;
      if (migrate === undefined) {
        problems.push(`${service}: no migrate init container`);
        continue;
      }
      if (JSON.stringify(migrate.command) !== JSON.stringify(['node', `services/${service}/dist/migrate.js`])) problems.push(`${service}: migrate runs ${JSON.stringify(migrate.command)}`);
      if (migrate.image !== main?.image) problems.push(`${service}: migrate runs ${migrate.image}, the service ${main?.image}`);
      for (const name of ['TRELLIS_DATABASE_URL', 'TRELLIS_AMQP_URL']) {
        const own = (c: Container | undefined) => c?.env?.find((e) => e.name === name)?.value;
        if (own(migrate) === undefined || own(migrate) !== own(main)) problems.push(`${service}: migrate's ${name} is not the service's`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps every secret value in the Secret: none in a ConfigMap or anywhere else', () => {
    const leaked = objects
      .filter((o) => o.kind !== 'Secret')
      .flatMap((o) => Object.values(secretData).filter((value) => JSON.stringify(o).includes(value)).map((value) => `${o.kind}/${o.metadata.name}: ${value}`));
    expect(leaked).toEqual([]);
    expect(JSON.stringify(named('Secret', 'trellis-secrets'))).toContain(secretData['TRELLIS_RUNNER_DB_PASSWORD']);
  });

  it('has no ConfigMap entry that is a secret by its name or holds a URL with a password', () => {
    const secretName = /PASSWORD|SECRET|TOKEN|_KEY$|_ADMIN_URL$/;
    const problems = ofKind('ConfigMap').flatMap((map) =>
      Object.entries((map['data'] ?? {}) as Record<string, string>).flatMap(([key, value]) => [
        ...(key in secretData || secretName.test(key) ? [`${map.metadata.name}: ${key} is a secret`] : []),
        ...(/[a-z][a-z0-9+.-]*:\/\/[^/@\s]+:[^/@\s]+@/.test(value) ? [`${map.metadata.name}: ${key} holds a URL with a password`] : []),
      ]),
    );
    expect(problems).toEqual([]);
  });

  it('gives the settings of the kubernetes site and of action images in trellis-config', () => {
    const data = (named('ConfigMap', 'trellis-config')?.['data'] ?? {}) as Record<string, string>;
    expect(data).toMatchObject({
      TRELLIS_SITE_DEFAULT: 'kubernetes',
      TRELLIS_IMAGES: 'registry',
      TRELLIS_K8S_NAMESPACE_PREFIX: 'trellis-p-',
      TRELLIS_K8S_RUNNER_NAMESPACE: 'trellis',
      TRELLIS_K8S_RUNNER_LABELS: 'app.kubernetes.io/name=runner',
      TRELLIS_K8S_READY_TIMEOUT_MS: '120000',
      TRELLIS_K8S_TARGET_CONCURRENCY: '8',
      TRELLIS_K8S_MAX_REPLICAS: '10',
      TRELLIS_INSTANCE: 'trellis',
    });
    // A name both provisioning (letters, digits, "_") and the site's labels (letters, digits, "-") take.
    expect(data['TRELLIS_INSTANCE']).toMatch(/^[a-z][a-z0-9]{0,39}$/);
    expect(data['TRELLIS_IMAGE_REGISTRY']).toMatch(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/);
    // The labels the site's NetworkPolicies let in are the runner pods' own, in the runner's namespace.
    const runner = named('Deployment', 'runner') as Workload;
    const [key, value] = (data['TRELLIS_K8S_RUNNER_LABELS'] ?? '').split('=');
    expect(runner.spec.template.metadata.labels[key ?? '']).toBe(value);
    expect(runner.metadata.namespace).toBe(data['TRELLIS_K8S_RUNNER_NAMESPACE']);
  });
});


describe('kubectl apply -k and trellis-adm install apply the same objects', () => {
  /** Sorted, with the generated ConfigMap's content hash left out (kustomize's own hash function differs). */
  const comparable = (list: readonly K8sObject[]): unknown[] =>
    (JSON.parse(JSON.stringify(list).replace(/trellis-gateway-[a-z0-9]{10}/g, 'trellis-gateway-<hash>')) as K8sObject[])
      .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));

  it.runIf(hasKubectl())('renders to what kubectl kustomize renders (the Secret aside), and that is valid too', async () => {
    const kustomized = parseAllDocuments(execFileSync('kubectl', ['kustomize', k8sDir], { encoding: 'utf8', timeout: 60_000 })).map((d) => d.toJS() as K8sObject);
    expect(comparable(objects.filter((o) => o.kind !== 'Secret'))).toEqual(comparable(kustomized));
    expect(await allSchemaProblems(kustomized)).toEqual([]);
  });
});

describe('the runner\'s access to the Kubernetes API', () => {
  const EXPECTED: Rule[] = [
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'create', 'patch'] },
    { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
  ];
  /** Every (group, resource, verb) a set of rules allows. */
  const grants = (rules: Rule[]): string[] =>
    [...new Set(rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)))))].sort();

  it('allows exactly what the kubernetes site needs, with no wildcard', () => {
    const roles = ofKind('ClusterRole');
    expect(roles.map((r) => r.metadata.name)).toEqual(['trellis-runner']);
    const rules = (roles[0]?.['rules'] ?? []) as Rule[];
    expect(JSON.stringify(rules)).not.toContain('*');
    expect(grants(rules)).toEqual(grants(EXPECTED));
  });

  it('binds it to the runner\'s ServiceAccount, the only one any pod mounts a token of', () => {
    const binding = named('ClusterRoleBinding', 'trellis-runner');
    expect(binding).toMatchObject({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'trellis-runner' }, subjects: [{ kind: 'ServiceAccount', name: 'runner', namespace: 'trellis' }] });
    expect(named('ServiceAccount', 'runner')?.['automountServiceAccountToken']).toBe(false);
    const mounting = objects.filter((o) => podsOf(o) !== undefined && podsOf(o)?.automountServiceAccountToken !== false);
    expect(mounting.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/runner']);
    expect(podsOf(named('Deployment', 'runner') as K8sObject)).toMatchObject({ serviceAccountName: 'runner', automountServiceAccountToken: true });
  });
});

describe('network policies of the trellis namespace', () => {
  const policies = ofKind('NetworkPolicy') as Policy[];
  const labelsOf = (name: string): Record<string, string> => (named('Deployment', name) as Workload).spec.template.metadata.labels;

  it('let every pod of the namespace reach every other (the services call each other)', () => {
    const all = policies.filter((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0);
    expect(all).toHaveLength(1);
    expect(all[0]?.spec.policyTypes).toEqual(['Ingress']);
    expect(all[0]?.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
  });

  it('let in from another namespace the gateway alone, on its port', () => {
    const outside = policies.flatMap((p) => (p.spec.ingress ?? []).filter((rule) => (rule.from ?? []).some((peer) => peer.namespaceSelector !== undefined || peer.ipBlock !== undefined)).map((rule) => ({ p, rule })));
    expect(outside.length).toBeGreaterThan(0);
    for (const { p, rule } of outside) {
      expect(selects(p.spec.podSelector.matchLabels, labelsOf('gateway')), p.metadata.name).toBe(true);
      for (const service of ['authorization', 'studio', 'repository', 'action-builder', 'runner']) expect(selects(p.spec.podSelector.matchLabels, labelsOf(service)), `${p.metadata.name} selects ${service}`).toBe(false);
      expect(rule.ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    }
  });
});
