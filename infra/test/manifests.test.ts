// Static checks of the deployment artefacts: infra/compose.yaml, infra/k8s/ (kustomize), the
// Dockerfiles and the gateway template copy. Nothing here needs Docker or a cluster; when
// kubectl is on PATH, `kubectl kustomize` also renders the kustomization.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SERVICES, dbIdentOf, envIdentOf, type ServiceInfo, type ServiceName } from '../../adm/src/catalog.js';
import { localMainConf } from '../../adm/src/local/gateway.js';
import { blockOf, everyDirective, parseNginx, type Directive } from './nginx-config.js';
import { hasKubectl } from './kubectl.js';

// TRELLIS_INFRA_TEST_ROOT points the checks at another tree laid out like the repository (to see
// them fail on a broken copy); the service catalog and config schemas always come from this one.
const root = process.env['TRELLIS_INFRA_TEST_ROOT'] ?? fileURLToPath(new URL('../..', import.meta.url));
const repository = fileURLToPath(new URL('../..', import.meta.url));
const infra = join(root, 'infra');
const k8sDir = join(infra, 'k8s');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

// ---- the environment contract (infra/README.md, "Environment contract")

/**
 * Variables each service is given, whatever its config schema defaults: the deployment decides
 * the listen address and port (a container must listen on 0.0.0.0:8080), logs and body limit.
 * This is the contract of issue 2 and DESIGN.md section 6; object-store variables go to the
 * services that `adm/src/catalog.ts` marks `usesObjectStore`, the admin password to authorization.
 */
const CONTRACT_COMMON = ['TRELLIS_HTTP_HOST', 'TRELLIS_HTTP_PORT', 'TRELLIS_DATABASE_URL', 'TRELLIS_AMQP_URL', 'TRELLIS_LOG_LEVEL', 'TRELLIS_BODY_LIMIT'];
const CONTRACT_OBJECT_STORE = ['TRELLIS_S3_ENDPOINT', 'TRELLIS_S3_ACCESS_KEY', 'TRELLIS_S3_SECRET_KEY', 'TRELLIS_S3_BUCKET', 'TRELLIS_S3_REGION'];
const CONTRACT_EXTRA: Partial<Record<ServiceName, string[]>> = { authorization: ['TRELLIS_ADMIN_PASSWORD'] };

type EnvSchemaModule = { envSchema?: { shape: Record<string, { safeParse(value: unknown): { success: boolean } }> } };

/**
 * The variables a service cannot start without, read from its own config schema
 * (`envSchema` in services/<svc>/src/infrastructure/config.ts): every key that neither is
 * optional nor has a default. Empty while a service has no config module yet.
 */
async function schemaRequiredEnv(service: ServiceName): Promise<string[]> {
  const file = join(repository, 'services', service, 'src', 'infrastructure', 'config.ts');
  if (!existsSync(file)) return [];
  const module = (await import(pathToFileURL(file).href)) as EnvSchemaModule;
  if (module.envSchema?.shape === undefined) throw new Error(`${file} exports no envSchema with a zod object's .shape`);
  return Object.entries(module.envSchema.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
}

async function requiredEnv(service: ServiceInfo): Promise<string[]> {
  const names = new Set([
    ...CONTRACT_COMMON,
    ...(service.usesObjectStore ? CONTRACT_OBJECT_STORE : []),
    ...(CONTRACT_EXTRA[service.name] ?? []),
    ...(await schemaRequiredEnv(service.name)),
  ]);
  return [...names].sort();
}

const SECRET_NAME = /PASSWORD|_PASS$|SECRET|TOKEN|_KEY$|_ADMIN_URL$/;

/**
 * What `trellis-adm provision` reads besides the per-service passwords (adm/src/provision/:
 * postgres.ts, rabbitmq.ts, object-store.ts), as the provisioning step of compose and the Job get it.
 */
const PROVISION_ENV = [
  'TRELLIS_PG_ADMIN_URL',
  'TRELLIS_RABBITMQ_MANAGEMENT_URL',
  'TRELLIS_RABBITMQ_ADMIN_USER',
  'TRELLIS_RABBITMQ_ADMIN_PASSWORD',
  ...CONTRACT_OBJECT_STORE,
];
const COMPOSE_REQUIRED_REF = /^\$\{([A-Z0-9_]+):\?[^}]*\}$/;
const K8S_REF = /^\$\(([A-Z0-9_]+)\)$/;

/**
 * The password of a `scheme://user:password@host/...` URL, or undefined when it carries none.
 * Compose `${...}` and Kubernetes `$(...)` references count as one unit (they may hold ':').
 */
function urlPassword(value: string): string | undefined {
  const match = /^[A-Za-z0-9+.$(){}_-]+:\/\/(.*)@[^@]*$/.exec(value);
  if (match === null) return undefined;
  const userinfo = match[1] as string;
  let depth = 0;
  for (let i = 0; i < userinfo.length; i++) {
    const char = userinfo[i];
    if (char === '$' && (userinfo[i + 1] === '{' || userinfo[i + 1] === '(')) {
      depth++;
      i++;
    } else if (depth > 0 && (char === '}' || char === ')')) depth--;
    else if (depth === 0 && char === ':') return userinfo.slice(i + 1);
  }
  return undefined;
}

const prefixOf = (service: ServiceInfo): string => {
  const prefix = service.prefixes[0];
  if (prefix === undefined) throw new Error(`${service.name} has no prefix in adm/src/catalog.ts`);
  return prefix;
};
const mainOf = (service: ServiceName): string => `services/${service}/dist/main.js`;

/** `${NAME}` placeholders of the gateway template (upper case: nginx's own variables are lower case). */
function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1] as string))].sort();
}

/** The image reference's tag, or undefined when it has none (which means `latest`). */
function tagOf(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] as string;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : withoutDigest.slice(colon + 1);
}

function imageProblems(where: string, image: string | undefined): string[] {
  if (image === undefined || image === '') return [`${where}: no image`];
  const tag = tagOf(image);
  if (tag === undefined && !image.includes('@sha256:')) return [`${where}: ${image} has no tag (means latest)`];
  if (tag === 'latest') return [`${where}: ${image} uses latest`];
  return [];
}

// ---- compose

type ComposeService = {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { host_ip?: string; published?: string | number; target?: number })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
  read_only?: boolean;
  entrypoint?: string[] | string;
  volumes?: unknown[];
  tmpfs?: string[] | string;
};
type Compose = { services: Record<string, ComposeService> };

const composeText = read('infra/compose.yaml');
const compose = parse(composeText, { merge: true }) as Compose;

/** Every string value of the parsed file (comments excluded), where compose interpolates `${...}`. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}
const composeValues = stringsOf(compose).join('\n');

function composeEnv(service: ComposeService): Map<string, string> {
  const env = new Map<string, string>();
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const at = entry.indexOf('=');
      env.set(at === -1 ? entry : entry.slice(0, at), at === -1 ? '' : entry.slice(at + 1));
    }
  } else {
    for (const [name, value] of Object.entries(raw)) env.set(name, value === null ? '' : String(value));
  }
  return env;
}

/** Applies compose's `${VAR:-default}` with the defaults only (what an empty env file gives). */
function composeDefaults(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_all, _name: string, fallback: string | undefined) => fallback ?? '');
}

/** Every problem with a secret's value in an inline environment entry of compose. */
function composeSecretProblems(where: string, name: string, value: string): string[] {
  const password = urlPassword(value);
  if (password !== undefined) {
    return COMPOSE_REQUIRED_REF.test(password) ? [] : [`${where}: ${name} has a password that is not a required \${VAR:?...} reference`];
  }
  if (SECRET_NAME.test(name) && !COMPOSE_REQUIRED_REF.test(value)) {
    return [`${where}: ${name} must be exactly one required \${VAR:?...} reference, not an inline value`];
  }
  return [];
}

const envExampleText = read('infra/.env.example');
const envExample = new Map(
  [...envExampleText.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1] as string, (m[2] as string).trim()] as const),
);

describe('infra/compose.yaml', () => {
  it('runs the five services from the one app image, each with its own main.js', () => {
    const problems: string[] = [];
    for (const service of SERVICES) {
      const definition = compose.services[service.name];
      if (definition === undefined) {
        problems.push(`no service ${service.name}`);
        continue;
      }
      expect(definition.image, service.name).toMatch(/^trellis\/app:/);
      const command = Array.isArray(definition.command) ? definition.command.join(' ') : definition.command;
      if (command !== `node ${mainOf(service.name)}`) problems.push(`${service.name}: command ${command}`);
      if (definition.read_only !== true) problems.push(`${service.name}: root filesystem not read-only`);
    }
    expect(problems).toEqual([]);
  });

  it('gives every service every variable it requires, listening on 0.0.0.0:8080', async () => {
    const problems: string[] = [];
    for (const service of SERVICES) {
      const env = composeEnv(compose.services[service.name] ?? {});
      for (const name of await requiredEnv(service)) {
        if (!env.get(name)) problems.push(`${service.name}: ${name} not set`);
      }
      if (env.get('TRELLIS_HTTP_HOST') !== '0.0.0.0') problems.push(`${service.name}: TRELLIS_HTTP_HOST is not 0.0.0.0`);
      if (env.get('TRELLIS_HTTP_PORT') !== '8080') problems.push(`${service.name}: TRELLIS_HTTP_PORT is not 8080`);
    }
    expect(problems).toEqual([]);
  });

  it('connects each service with its own role, database and broker user', () => {
    const problems: string[] = [];
    for (const service of SERVICES) {
      const env = composeEnv(compose.services[service.name] ?? {});
      const db = dbIdentOf(service.name);
      const DB = envIdentOf(service.name);
      const database = env.get('TRELLIS_DATABASE_URL') ?? '';
      const databaseShape = new RegExp(`^postgres://trellis_${db}:\\$\\{TRELLIS_${DB}_DB_PASSWORD:\\?[^}]*\\}@postgres:5432/trellis_${db}$`);
      if (!databaseShape.test(database)) problems.push(`${service.name}: TRELLIS_DATABASE_URL ${database}`);
      const amqp = env.get('TRELLIS_AMQP_URL') ?? '';
      const amqpShape = new RegExp(`^amqp://trellis_${db}:\\$\\{TRELLIS_${DB}_AMQP_PASSWORD:\\?[^}]*\\}@rabbitmq:5672/trellis$`);
      if (!amqpShape.test(amqp)) problems.push(`${service.name}: TRELLIS_AMQP_URL ${amqp}`);
      // provision.sh runs each migrate.js with the service's own URLs.
      const provision = composeEnv(compose.services['provision'] ?? {});
      if (provision.get(`TRELLIS_${DB}_DATABASE_URL`) !== database) problems.push(`provision: TRELLIS_${DB}_DATABASE_URL differs from ${service.name}'s`);
      if (provision.get(`TRELLIS_${DB}_AMQP_URL`) !== amqp) problems.push(`provision: TRELLIS_${DB}_AMQP_URL differs from ${service.name}'s`);
      for (const name of [`TRELLIS_${DB}_DB_PASSWORD`, `TRELLIS_${DB}_AMQP_PASSWORD`]) {
        if (!provision.has(name)) problems.push(`provision: ${name} not set`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('sets no secret inline: only required ${VAR:?...} references to the env file', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [variable, value] of composeEnv(service)) problems.push(...composeSecretProblems(name, variable, value));
    }
    // No secret variable may have a default anywhere in the file.
    for (const match of composeValues.matchAll(/\$\{([A-Z0-9_]+)(:?[-?])?/g)) {
      const [all, variable = '', operator] = match;
      if (SECRET_NAME.test(variable) && operator !== ':?') problems.push(`${all}: a secret needs the :? form`);
    }
    expect(problems).toEqual([]);
  });

  it('documents every variable it reads in infra/.env.example, with every secret left empty', () => {
    const used = new Set([...composeValues.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] as string));
    expect([...used].filter((name) => !envExample.has(name)).sort(), 'used but not in .env.example').toEqual([]);
    expect([...envExample.keys()].filter((name) => !used.has(name)).sort(), 'in .env.example but unused').toEqual([]);
    const filled = [...envExample].filter(([name, value]) => SECRET_NAME.test(name) && value !== '').map(([name]) => name);
    expect(filled, 'secrets with a value in .env.example').toEqual([]);
    expect(envExample.get('TRELLIS_ADMIN_PASSWORD')).toBe('');
  });

  it('publishes only the gateway, only on 127.0.0.1', () => {
    const published: string[] = [];
    const problems: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) {
        published.push(name);
        const hostIp = typeof port === 'string' ? port.split(':')[0] : port.host_ip;
        if (hostIp !== '127.0.0.1') problems.push(`${name}: ${JSON.stringify(port)} is not bound to 127.0.0.1`);
      }
    }
    expect(problems).toEqual([]);
    expect(published).toEqual(['gateway']);
    expect(compose.services['gateway']?.ports).toEqual(['127.0.0.1:${TRELLIS_PORT:-8080}:8080']);
  });

  it('starts the services after provisioning, which waits for the database, broker and bucket', () => {
    const dependsOn = (name: string): Record<string, { condition?: string }> => {
      const value = compose.services[name]?.depends_on ?? {};
      return Array.isArray(value) ? Object.fromEntries(value.map((n) => [n, {}])) : value;
    };
    for (const service of SERVICES) {
      expect(dependsOn(service.name)['provision']?.condition, service.name).toBe('service_completed_successfully');
    }
    expect(dependsOn('provision')).toEqual({
      postgres: { condition: 'service_healthy' },
      rabbitmq: { condition: 'service_healthy' },
      'minio-init': { condition: 'service_completed_successfully' },
    });
    expect(compose.services['provision']?.command).toEqual(['infra/docker/provision.sh']);
    const provision = composeEnv(compose.services['provision'] ?? {});
    expect(PROVISION_ENV.filter((name) => !provision.get(name)), 'provision environment').toEqual([]);
    expect(compose.services['postgres']?.image).toMatch(/^postgres:15/);
    expect(compose.services['rabbitmq']?.image).toMatch(/^rabbitmq:3-management/);
  });

  it('checks each service on its own /readyz', () => {
    for (const service of SERVICES) {
      const test = compose.services[service.name]?.healthcheck?.test;
      const text = Array.isArray(test) ? test.join(' ') : (test ?? '');
      expect(text, service.name).toContain(`http://127.0.0.1:8080${prefixOf(service)}/readyz`);
    }
  });

  it('pins every image to a tag other than latest', () => {
    const problems = Object.entries(compose.services).flatMap(([name, service]) =>
      imageProblems(`compose ${name}`, service.image === undefined ? undefined : composeDefaults(service.image)),
    );
    expect(problems).toEqual([]);
  });
});

// ---- Kubernetes

type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
};
type Probe = { httpGet?: { path: string; port: string | number }; tcpSocket?: { port: string | number } };
type Container = {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
};
type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: Record<string, unknown> }[];
};
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    selector?: { matchLabels?: Record<string, string> } | Record<string, string>;
    template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
    ports?: { name?: string; port: number; targetPort?: string | number }[];
    rules?: { http?: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }[] } }[];
  };
};
type Kustomization = {
  namespace?: string;
  resources?: string[];
  configMapGenerator?: { name: string; files?: string[] }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
};

function loadYamlDocuments(file: string): K8sObject[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  if (!Array.isArray(documents)) return [];
  return documents.map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
    return document.toJS() as K8sObject;
  });
}

const kustomization = parse(readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8')) as Kustomization;
const resourceFiles = kustomization.resources ?? [];
const objects = resourceFiles.flatMap((file) => loadYamlDocuments(join(k8sDir, file)));
const secretTemplate = loadYamlDocuments(join(k8sDir, 'secret.example.yaml'))[0];
const secretKeys = new Set(Object.keys(secretTemplate?.stringData ?? {}));

const find = (kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const podSpecOf = (object: K8sObject | undefined): PodSpec | undefined => object?.spec?.template?.spec;
const firstContainer = (object: K8sObject | undefined): Container | undefined => podSpecOf(object)?.containers[0];

/** Where each variable of a container comes from: 'secret', 'configmap' or 'inline'. */
function containerEnv(container: Container): Map<string, { source: 'secret' | 'configmap' | 'inline'; value?: string; secretKey?: string }> {
  const env = new Map<string, { source: 'secret' | 'configmap' | 'inline'; value?: string; secretKey?: string }>();
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef?.name;
    if (ref !== undefined) {
      const map = find('ConfigMap', ref);
      if (map === undefined) throw new Error(`${container.name}: envFrom ConfigMap ${ref} is not in the kustomization`);
      for (const [name, value] of Object.entries(map.data ?? {})) env.set(name, { source: 'configmap', value });
    }
    if (from.secretRef !== undefined) throw new Error(`${container.name}: envFrom a whole Secret hands it every service's credentials`);
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.secretKeyRef !== undefined) env.set(variable.name, { source: 'secret', secretKey: variable.valueFrom.secretKeyRef.key });
    else if (variable.valueFrom?.configMapKeyRef !== undefined) env.set(variable.name, { source: 'configmap' });
    else env.set(variable.name, { source: 'inline', value: variable.value ?? '' });
  }
  return env;
}

/** Every problem with secrets and $(VAR) references in one container's environment. */
function containerSecretProblems(where: string, container: Container): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  const fromSecret = new Set<string>();
  for (const from of container.envFrom ?? []) {
    const map = from.configMapRef === undefined ? undefined : find('ConfigMap', from.configMapRef.name);
    for (const name of Object.keys(map?.data ?? {})) defined.add(name);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref !== undefined) {
      if (ref.name !== 'trellis-secrets') problems.push(`${where}: ${variable.name} reads Secret ${ref.name}, not trellis-secrets`);
      if (!secretKeys.has(ref.key)) problems.push(`${where}: ${variable.name} reads key ${ref.key}, missing from secret.example.yaml`);
      fromSecret.add(variable.name);
    } else if (variable.valueFrom === undefined) {
      const value = variable.value ?? '';
      // Kubernetes expands $(VAR) only from variables defined before it.
      for (const match of value.matchAll(/\$\(([A-Za-z0-9_]+)\)/g)) {
        if (!defined.has(match[1] as string)) problems.push(`${where}: ${variable.name} refers to $(${match[1]}), not defined before it`);
      }
      if (SECRET_NAME.test(variable.name)) problems.push(`${where}: ${variable.name} is set inline; use a secretKeyRef`);
      const password = urlPassword(value);
      if (password !== undefined) {
        const reference = K8S_REF.exec(password)?.[1];
        if (reference === undefined || !fromSecret.has(reference)) {
          problems.push(`${where}: ${variable.name} carries a password that is not a $(VAR) read from the Secret`);
        }
      }
    }
    defined.add(variable.name);
  }
  return problems;
}

function probePath(probe: Probe | undefined): string | undefined {
  return probe?.httpGet?.path;
}

describe('infra/k8s (kustomize)', () => {
  it('lists every manifest of the directory, except the Secret template', () => {
    const manifests = readdirSync(k8sDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect(resourceFiles).not.toContain('secret.example.yaml');
    expect(manifests.filter((f) => f !== 'secret.example.yaml' && !resourceFiles.includes(f)), 'not in resources').toEqual([]);
    expect(resourceFiles.filter((f) => !existsSync(join(k8sDir, f))), 'missing resources').toEqual([]);
    expect(kustomization.namespace).toBe('trellis');
    expect(find('Namespace', 'trellis')).toBeDefined();
  });

  it('has a Deployment and a Service on port 8080 for every service', () => {
    for (const service of SERVICES) {
      const deployment = find('Deployment', service.name);
      expect(deployment, `Deployment ${service.name}`).toBeDefined();
      expect(firstContainer(deployment)?.command).toEqual(['node', mainOf(service.name)]);
      expect(firstContainer(deployment)?.image).toMatch(/^trellis\/app:/);
      const svc = find('Service', service.name);
      expect(svc?.spec?.ports?.[0]?.port, `Service ${service.name}`).toBe(8080);
      const selector = (svc?.spec?.selector ?? {}) as Record<string, string>;
      const labels = deployment?.spec?.template?.metadata?.labels ?? {};
      expect(Object.entries(selector).every(([k, v]) => labels[k] === v), `Service ${service.name} selects its pods`).toBe(true);
    }
  });

  it('gives every Deployment every variable its service requires, listening on 0.0.0.0:8080', async () => {
    const problems: string[] = [];
    for (const service of SERVICES) {
      const container = firstContainer(find('Deployment', service.name));
      if (container === undefined) {
        problems.push(`${service.name}: no container`);
        continue;
      }
      const env = containerEnv(container);
      for (const name of await requiredEnv(service)) if (!env.has(name)) problems.push(`${service.name}: ${name} not set`);
      if (env.get('TRELLIS_HTTP_HOST')?.value !== '0.0.0.0') problems.push(`${service.name}: TRELLIS_HTTP_HOST is not 0.0.0.0`);
      if (env.get('TRELLIS_HTTP_PORT')?.value !== '8080') problems.push(`${service.name}: TRELLIS_HTTP_PORT is not 8080`);
      const db = dbIdentOf(service.name);
      const DB = envIdentOf(service.name);
      const database = env.get('TRELLIS_DATABASE_URL')?.value ?? '';
      // Named after the instance, as provisioning names them (TRELLIS_INSTANCE of trellis-config).
      if (!database.startsWith(`postgres://$(TRELLIS_INSTANCE)_${db}:$(TRELLIS_${DB}_DB_PASSWORD)@`) || !database.endsWith(`/$(TRELLIS_INSTANCE)_${db}$(TRELLIS_PG_URL_PARAMS)`)) {
        problems.push(`${service.name}: TRELLIS_DATABASE_URL ${database}`);
      }
      const amqp = env.get('TRELLIS_AMQP_URL')?.value ?? '';
      if (!amqp.includes(`://$(TRELLIS_INSTANCE)_${db}:$(TRELLIS_${DB}_AMQP_PASSWORD)@`) || !amqp.endsWith('/$(TRELLIS_INSTANCE)')) {
        problems.push(`${service.name}: TRELLIS_AMQP_URL ${amqp}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('sets no secret inline: secrets come from secretKeyRef, the ConfigMap holds none', () => {
    const problems: string[] = [];
    for (const object of objects) {
      const spec = podSpecOf(object);
      for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
        problems.push(...containerSecretProblems(`${object.kind} ${object.metadata.name}`, container));
      }
      if (object.kind === 'Secret') problems.push(`Secret ${object.metadata.name} is applied by the kustomization`);
      if (object.kind === 'ConfigMap' && object.metadata.name === 'trellis-config') {
        for (const [name, value] of Object.entries(object.data ?? {})) {
          if (SECRET_NAME.test(name)) problems.push(`ConfigMap: ${name} is a secret`);
          if (urlPassword(value) !== undefined) problems.push(`ConfigMap: ${name} holds a password`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps the Secret template to placeholders', () => {
    expect(secretTemplate?.kind).toBe('Secret');
    expect(secretTemplate?.metadata.name).toBe('trellis-secrets');
    const filled = Object.entries(secretTemplate?.stringData ?? {}).filter(([, value]) => !/<[^>]+>/.test(value));
    expect(filled.map(([name]) => name), 'values without a <placeholder>').toEqual([]);
    expect(secretTemplate?.data, 'base64 data hides real values').toBeUndefined();
  });

  it('probes every Deployment on its own prefix', () => {
    for (const service of SERVICES) {
      const container = firstContainer(find('Deployment', service.name));
      expect(probePath(container?.readinessProbe), `${service.name} readiness`).toBe(`${prefixOf(service)}/readyz`);
      expect(probePath(container?.livenessProbe), `${service.name} liveness`).toBe(`${prefixOf(service)}/healthz`);
    }
  });

  it('sets requests, limits and a non-root, read-only security context on every workload', () => {
    const problems: string[] = [];
    for (const object of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
      const spec = podSpecOf(object);
      const where = `${object.kind} ${object.metadata.name}`;
      if (spec?.securityContext?.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot`);
      for (const container of spec?.containers ?? []) {
        for (const kind of ['requests', 'limits'] as const) {
          for (const resource of ['cpu', 'memory']) {
            if (container.resources?.[kind]?.[resource] === undefined) problems.push(`${where}: no ${kind}.${resource}`);
          }
        }
        if (container.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem writable`);
        if (container.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: privilege escalation allowed`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('provisions and migrates in a Job that has every credential it needs', () => {
    const job = objects.find((o) => o.kind === 'Job');
    const container = firstContainer(job);
    expect(container?.command).toEqual(['infra/docker/provision.sh']);
    const env = containerEnv(container ?? { name: 'none' });
    const problems: string[] = [];
    for (const name of PROVISION_ENV) {
      if (!env.has(name)) problems.push(`${name} not set`);
      else if (SECRET_NAME.test(name) && env.get(name)?.source !== 'secret') problems.push(`${name} not from the Secret`);
    }
    for (const service of SERVICES) {
      const DB = envIdentOf(service.name);
      for (const name of [`TRELLIS_${DB}_DB_PASSWORD`, `TRELLIS_${DB}_AMQP_PASSWORD`]) {
        if (env.get(name)?.source !== 'secret') problems.push(`${name} not from the Secret`);
      }
      const deployment = containerEnv(firstContainer(find('Deployment', service.name)) ?? { name: 'none' });
      for (const url of ['DATABASE_URL', 'AMQP_URL']) {
        if (env.get(`TRELLIS_${DB}_${url}`)?.value !== deployment.get(`TRELLIS_${url}`)?.value) {
          problems.push(`TRELLIS_${DB}_${url} differs from the ${service.name} Deployment's TRELLIS_${url}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('pins every image to a tag other than latest', () => {
    const problems: string[] = [];
    for (const object of objects) {
      const spec = podSpecOf(object);
      for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
        problems.push(...imageProblems(`${object.kind} ${object.metadata.name}`, container.image));
      }
    }
    for (const image of kustomization.images ?? []) {
      if (image.newTag === undefined && image.digest === undefined) problems.push(`kustomization images: ${image.name} has no newTag`);
      if (image.newTag === 'latest') problems.push(`kustomization images: ${image.name} uses latest`);
    }
    expect(problems).toEqual([]);
  });

  it('routes everything through the Ingress to the gateway', () => {
    const ingress = objects.find((o) => o.kind === 'Ingress');
    const paths = ingress?.spec?.rules?.flatMap((rule) => rule.http?.paths ?? []) ?? [];
    expect(paths.map((p) => [p.path, p.pathType, p.backend.service.name])).toEqual([['/', 'Prefix', 'gateway']]);
    const port = paths[0]?.backend.service.port;
    const gatewayPorts = find('Service', 'gateway')?.spec?.ports ?? [];
    expect(gatewayPorts.some((p) => p.name === port?.name || p.port === port?.number)).toBe(true);
  });

  it.runIf(hasKubectl())('renders with kubectl kustomize', () => {
    const output = execFileSync('kubectl', ['kustomize', k8sDir], { encoding: 'utf8', timeout: 60_000 });
    const kinds = parseAllDocuments(output).map((d) => (d.toJS() as K8sObject).kind);
    expect(kinds.filter((k) => k === 'Deployment')).toHaveLength(SERVICES.length + 1);
  });
});


// ---- the gateway: one template for make up, compose and Kubernetes

describe('gateway', () => {
  const templatePath = 'infra/gateway/nginx.conf.template';

  it('has its template, and the Kubernetes ConfigMap is generated from an identical copy', () => {
    expect(existsSync(join(root, templatePath)), `${templatePath} exists`).toBe(true);
    const generator = kustomization.configMapGenerator?.find((g) => g.name === 'trellis-gateway');
    const entry = generator?.files?.[0] ?? '';
    const source = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
    expect(source).toBe('gateway/nginx.conf.template');
    const copy = readFileSync(join(k8sDir, source), 'utf8');
    expect(copy === read(templatePath), `infra/k8s/${source} differs from ${templatePath}: cp ${templatePath} infra/k8s/${source}`).toBe(true);
    const volumes = podSpecOf(find('Deployment', 'gateway'))?.volumes ?? [];
    expect(volumes.some((v) => v.configMap?.name === 'trellis-gateway')).toBe(true);
  });

  it('is given a value for every placeholder of the template, in compose and in Kubernetes', () => {
    const placeholders = templatePlaceholders(read(templatePath));
    expect(placeholders.length).toBeGreaterThan(0);
    const composeGateway = composeEnv(compose.services['gateway'] ?? {});
    expect(placeholders.filter((name) => !composeGateway.get(name)), 'compose gateway').toEqual([]);
    const k8sGateway = containerEnv(firstContainer(find('Deployment', 'gateway')) ?? { name: 'none' });
    expect(placeholders.filter((name) => !k8sGateway.get(name)?.value), 'k8s gateway').toEqual([]);
  });

  it('probes the gateway on its own /healthz', () => {
    const container = firstContainer(find('Deployment', 'gateway'));
    expect(probePath(container?.readinessProbe)).toBe('/healthz');
    expect(probePath(container?.livenessProbe)).toBe('/healthz');
    expect(read(templatePath)).toMatch(/location = \/healthz \{/);
  });

  it('points each upstream at its service on port 8080', () => {
    const composeGateway = composeEnv(compose.services['gateway'] ?? {});
    const k8sGateway = containerEnv(firstContainer(find('Deployment', 'gateway')) ?? { name: 'none' });
    for (const service of SERVICES) {
      const name = `TRELLIS_${envIdentOf(service.name)}_UPSTREAM`;
      expect(composeGateway.get(name), `compose ${name}`).toBe(`${service.name}:8080`);
      expect(k8sGateway.get(name)?.value, `k8s ${name}`).toBe(`${service.name}:8080`);
    }
  });
});

// ---- the gateway's behaviour: one template, the same in make up, compose and Kubernetes.
// make up wraps the template in adm's main config (adm/src/local/gateway.ts); compose and
// Kubernetes run the image, whose entry point wraps the same file in its own. The behaviour
// (bodies, limits, errors) must live in the template only, and reach each deployment unchanged.

const TEMPLATE = 'infra/gateway/nginx.conf.template';
const templateDirectives = parseNginx(read(TEMPLATE));
const templateServer = blockOf(templateDirectives, 'server') ?? [];
const argsOf = (directives: readonly Directive[] | undefined, name: string): readonly string[] | undefined => directives?.find((d) => d.name === name)?.args;
/** The gateway's ceiling for a request body, as the template says it (`1g`). */
const bodyCeiling = argsOf(templateServer, 'client_max_body_size')?.[0] ?? '';

/** How request bodies are passed: streamed, never to disk, and a service's errors untouched. */
const BODY_RULES: Record<string, string> = {
  proxy_request_buffering: 'off',
  proxy_max_temp_file_size: '0',
  proxy_intercept_errors: 'off',
};
/** Statuses nginx answers itself that must come as problems: its own failures and unreadable requests. */
const OWN_ERRORS = ['400', '404', '408', '413', '414', '494', '500', '502', '503', '504'];
/** Codes a caller may act on; 413 says what the services' own 413 says (packages/platform/src/http/app.ts). */
const OWN_CODES: Record<string, string> = { '404': 'route_not_found', '413': 'payload_too_large', '502': 'service_unavailable', '503': 'service_unavailable', '504': 'service_timeout' };

/** The entry point's main config: the here-document it writes to $work/nginx.conf. */
function entrypointMainConf(): string {
  const script = read('infra/docker/gateway-entrypoint.sh');
  const heredoc = /cat >"\$work\/nginx\.conf" <<EOF\n([\s\S]*?)\nEOF\n/.exec(script)?.[1];
  if (heredoc === undefined) throw new Error('gateway-entrypoint.sh: no `cat >"$work/nginx.conf" <<EOF ... EOF`');
  return heredoc;
}

/** A main config's problems: it may run the process and place files, not change how requests are handled. */
function mainConfProblems(where: string, text: string, workDir: string): string[] {
  const problems: string[] = [];
  const directives = parseNginx(text);
  for (const { directive } of everyDirective(directives)) {
    if (/_temp_path$/.test(directive.name)) continue;
    if (/^(client_|proxy_|uwsgi_|fastcgi_|scgi_|large_client_header_buffers$|send_timeout$|error_page$|server$|location$|limit_)/.test(directive.name)) {
      problems.push(`${where}: ${directive.name} belongs in ${TEMPLATE}, where every deployment gets it`);
    }
  }
  const http = blockOf(directives, 'http') ?? [];
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    const path = argsOf(http, `${temp}_temp_path`)?.[0];
    if (path === undefined || !path.startsWith(`${workDir}/`)) problems.push(`${where}: ${temp}_temp_path ${path} is not under ${workDir}`);
  }
  if (!http.some((d) => d.name === 'include' && d.args[0]?.endsWith('trellis.conf'))) problems.push(`${where}: does not include the rendered template`);
  return problems;
}

/** A `return` body of the template as nginx would send it, with made-up values for its variables. */
function renderReturnBody(body: string): string {
  const sample: Record<string, string> = { status: '502', trellis_problem_instance: '"instance":"/studio/x",' };
  return body.replace(/\\n/g, '\n').replace(/\$([a-z_]+)/g, (_all, name: string) => sample[name] ?? name);
}

describe('the gateway behaviour (the same in make up, compose and Kubernetes)', () => {
  it('streams request bodies, never to disk, and passes every answer of a service untouched', () => {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(BODY_RULES)) {
      if (argsOf(templateServer, name)?.[0] !== value) problems.push(`server: ${name} is not ${value}`);
    }
    // No location may undo them, nor set a ceiling of its own; but the problem page, which answers a
    // request refused for its size, takes any (else nginx refuses the error page too, with its HTML 413).
    const problemPage = 'server > location = /_trellis/problem';
    for (const { directive, path } of everyDirective(templateDirectives)) {
      const expected = BODY_RULES[directive.name];
      if (expected !== undefined && directive.args[0] !== expected) problems.push(`${path.join(' > ')}: ${directive.name} ${directive.args.join(' ')}`);
      const unlimitedProblemPage = path.join(' > ') === problemPage && directive.args[0] === '0';
      if (directive.name === 'client_max_body_size' && path.join(' > ') !== 'server' && !unlimitedProblemPage) problems.push(`${path.join(' > ')}: a ceiling of its own`);
      if (directive.name === 'error_page' && path.join(' > ') !== 'server') problems.push(`${path.join(' > ')}: error_page in a location`);
    }
    expect(problems).toEqual([]);
  });

  it('sets one ceiling for a body, far above the services’ own limits, and says so in its README', () => {
    const bytes = (size: string): number => Number.parseInt(size, 10) * ({ k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[size.slice(-1).toLowerCase()] ?? 1);
    expect(bodyCeiling).toMatch(/^\d+[kmg]$/i);
    // TRELLIS_BODY_LIMIT is 1mb by default; the first routes taking files are planned for 50 MB.
    expect(bytes(bodyCeiling)).toBeGreaterThanOrEqual(100 * 2 ** 20);
    expect(read('infra/gateway/README.md')).toContain(`client_max_body_size ${bodyCeiling}`);
  });

  it('answers each error of its own as application/problem+json with type, title, status and code', () => {
    const errorPages = templateServer.filter((d) => d.name === 'error_page');
    const handled = new Map(errorPages.flatMap((d) => d.args.slice(0, -1).map((status) => [status, d.args[d.args.length - 1] as string] as const)));
    expect(OWN_ERRORS.filter((status) => !handled.has(status)), 'statuses without a problem page').toEqual([]);
    for (const target of new Set(handled.values())) {
      expect(target, 'error_page keeps the status (no =code)').toMatch(/^\//);
      const location = blockOf(templateServer, 'location', '=', target);
      expect(location, `location = ${target}`).toBeDefined();
      expect(location?.some((d) => d.name === 'internal'), `${target} is internal`).toBe(true);
      expect(argsOf(location, 'default_type')).toEqual(['application/problem+json']);
      const body = argsOf(location, 'return')?.[1] ?? '';
      const problem = JSON.parse(renderReturnBody(body)) as Record<string, unknown>;
      expect(Object.keys(problem)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'detail', 'request_id']));
      expect(problem['status']).toBe(502);
    }
    const codes = new Map((blockOf(templateDirectives, 'map', '$status', '$trellis_problem_code') ?? []).map((d) => [d.name, d.args[0]]));
    const titles = new Map((blockOf(templateDirectives, 'map', '$status', '$trellis_problem_title') ?? []).map((d) => [d.name, d.args[0]]));
    for (const [status, code] of Object.entries(OWN_CODES)) expect(codes.get(status), `code for ${status}`).toBe(code);
    for (const map of [codes, titles]) expect(map.get('default')).toBeDefined();
    // An unknown path is the gateway's 404 problem too.
    expect(argsOf(blockOf(templateServer, 'location', '/'), 'return')).toEqual(['404']);
  });

  it('is wrapped by main configs (make up’s, the image’s) that only run nginx and place its files', () => {
    const local = localMainConf({ nginxDir: '/state/nginx', tempDir: '/state/nginx/tmp', includeFile: '/state/nginx/trellis.conf' }, 'nobody');
    expect([...mainConfProblems('make up', local, '/state/nginx/tmp'), ...mainConfProblems('gateway-entrypoint.sh', entrypointMainConf(), '$work')]).toEqual([]);
    const httpNames = (text: string): string[] =>
      (blockOf(parseNginx(text), 'http') ?? []).map((d) => (d.name === 'types' ? 'include' : d.name)).sort();
    expect(httpNames(local)).toEqual(httpNames(entrypointMainConf()));
  });

  it('runs that template as it is in the image, in compose and in Kubernetes', () => {
    const instructions = dockerInstructions('infra/docker/gateway.Dockerfile');
    const copied = instructions.find((i) => i.keyword === 'COPY' && i.args.startsWith(`${TEMPLATE} `))?.args.split(/\s+/)[1];
    const env = instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ');
    expect(env).toContain(`TRELLIS_GATEWAY_TEMPLATE=${copied}`);
    expect(instructions.filter((i) => i.keyword === 'ENTRYPOINT').map((i) => i.args)).toEqual(['["/usr/local/bin/gateway-entrypoint.sh"]']);

    const composeGateway = compose.services['gateway'] ?? {};
    expect(composeGateway.build).toMatchObject({ context: '..', dockerfile: 'infra/docker/gateway.Dockerfile' });
    expect({ command: composeGateway.command, entrypoint: composeGateway.entrypoint, volumes: composeGateway.volumes }, 'compose replaces nothing of the image').toEqual({});
    expect(composeEnv(composeGateway).has('TRELLIS_GATEWAY_TEMPLATE')).toBe(false);
    expect(composeGateway.read_only !== true || [composeGateway.tmpfs].flat().includes('/tmp'), 'a writable /tmp for the work directory').toBe(true);

    const deployment = find('Deployment', 'gateway');
    const container = firstContainer(deployment);
    expect(container?.image).toMatch(/^trellis\/gateway:/);
    expect({ command: container?.command, args: container?.args }, 'Kubernetes replaces nothing of the image').toEqual({});
    const volumes = podSpecOf(deployment)?.volumes ?? [];
    const templateVolume = volumes.find((v) => v.configMap?.name === 'trellis-gateway')?.name;
    const mount = container?.volumeMounts?.find((m) => m.name === templateVolume)?.mountPath;
    const generated = kustomization.configMapGenerator?.find((g) => g.name === 'trellis-gateway')?.files?.[0] ?? '';
    const key = generated.includes('=') ? generated.slice(0, generated.indexOf('=')) : generated.split('/').pop();
    expect(containerEnv(container ?? { name: 'none' }).get('TRELLIS_GATEWAY_TEMPLATE')?.value).toBe(`${mount}/${key}`);
    const tmp = container?.volumeMounts?.find((m) => m.mountPath === '/tmp')?.name;
    expect(volumes.find((v) => v.name === tmp)?.emptyDir, 'a writable /tmp for the work directory').toBeDefined();
  });

  it('lets bodies through the Ingress as the gateway does (ingress-nginx reads these annotations)', () => {
    const annotations = objects.find((o) => o.kind === 'Ingress')?.metadata.annotations ?? {};
    expect(annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe(bodyCeiling);
    expect(annotations['nginx.ingress.kubernetes.io/proxy-request-buffering']).toBe('off');
  });
});

// ---- the standard library (issue 19): the image's actions/, committed by the repository service

describe('the standard library in compose and Kubernetes', () => {
  const LIBRARY = 'TRELLIS_STANDARD_LIBRARY_DIR';
  const WRITABLE = '/tmp';

  it('gives the repository service the image\'s actions/ folder, and no other service', () => {
    expect(composeEnv(compose.services['repository'] ?? {}).get(LIBRARY)).toBe('/app/actions');
    const container = firstContainer(find('Deployment', 'repository'));
    expect(container && containerEnv(container).get(LIBRARY)).toMatchObject({ source: 'inline', value: '/app/actions' });
    for (const other of SERVICES.filter((service) => service.name !== 'repository')) {
      expect(composeEnv(compose.services[other.name] ?? {}).has(LIBRARY), `compose ${other.name}`).toBe(false);
      const otherContainer = firstContainer(find('Deployment', other.name));
      expect(otherContainer && containerEnv(otherContainer).has(LIBRARY), `Deployment ${other.name}`).toBe(false);
    }
  });

  it('lets it write the library\'s repository in its work folder (/tmp: a tmpfs in compose, an emptyDir in Kubernetes)', () => {
    const service = compose.services['repository'] ?? {};
    const tmpfs = Array.isArray(service.tmpfs) ? service.tmpfs : [service.tmpfs];
    expect(service.read_only).toBe(true);
    expect(tmpfs).toContain(WRITABLE);
    expect(composeEnv(service).has('TRELLIS_SCAN_WORK_DIR')).toBe(false);
    const deployment = find('Deployment', 'repository');
    const container = firstContainer(deployment);
    const mount = container?.volumeMounts?.find((m) => m.mountPath === WRITABLE);
    expect(mount, 'a volume at /tmp').toBeDefined();
    expect(podSpecOf(deployment)?.volumes?.find((v) => v.name === mount?.name)?.emptyDir).toBeDefined();
    expect(container && containerEnv(container).has('TRELLIS_SCAN_WORK_DIR')).toBe(false);
  });

  it('ships actions/ in the image at /app/actions, without its tests or anything installed in it', () => {
    const instructions = dockerInstructions('infra/docker/Dockerfile');
    const runtime = instructions.slice(instructions.findIndex((i) => i.keyword === 'FROM' && / AS runtime$/.test(i.args)));
    expect(runtime.find((i) => i.keyword === 'WORKDIR')?.args).toBe('/app');
    expect(runtime.some((i) => i.keyword === 'COPY' && /--from=prune\b.*\s\/src\/\s+\.\/$/.test(i.args))).toBe(true);
    expect(read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => /^!?actions\b/.test(line))).toEqual([]);
    const prune = instructions.filter((i) => i.keyword === 'RUN' && i.args.startsWith('npm prune')).map((i) => i.args).join('\n');
    expect(prune).toMatch(/\brm -rf [^&]*\bactions\/test\b/);
    expect(prune).not.toMatch(/\brm -rf [^&]*\bactions(\s|$)/);
    expect(prune).toContain("find actions -name node_modules -prune -exec rm -rf {} +");
    expect(existsSync(join(root, 'actions'))).toBe(true);
  });
});

// ---- images

type Instruction = { keyword: string; args: string };

function dockerInstructions(path: string): Instruction[] {
  const joined = read(path).replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const space = line.search(/\s/);
      return { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
    });
}

function dockerProblems(path: string): string[] {
  const instructions = dockerInstructions(path);
  const problems: string[] = [];
  const args = new Map<string, string>();
  const stages = new Set<string>();
  for (const { keyword, args: rest } of instructions) {
    if (keyword === 'ARG') {
      const [name = '', value = ''] = rest.split('=');
      args.set(name, value);
    }
    if (keyword === 'FROM') {
      const [image = '', , stage] = rest.split(/\s+/);
      const resolved = image.replace(/\$\{?([A-Za-z_]+)\}?/g, (_all, name: string) => args.get(name) ?? '');
      if (!stages.has(resolved)) problems.push(...imageProblems(`${path} FROM`, resolved));
      if (stage !== undefined) stages.add(stage);
    }
    if ((keyword === 'ENV' || keyword === 'ARG') && SECRET_NAME.test(rest.split(/[=\s]/)[0] ?? '')) {
      problems.push(`${path}: ${keyword} ${rest} bakes a secret into the image`);
    }
    if (keyword === 'COPY' && !rest.includes('--from=')) {
      const sources = rest.split(/\s+/).filter((part) => !part.startsWith('--')).slice(0, -1);
      for (const source of sources) if (source !== '.' && !existsSync(join(root, source))) problems.push(`${path}: COPY ${source} does not exist`);
    }
  }
  const users = instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
  const user = users[users.length - 1];
  if (user === undefined || /^(0|root)(:|$)/.test(user) || !/^\d+(:\d+)?$/.test(user)) problems.push(`${path}: final USER ${user} is not a numeric non-root user`);
  return problems;
}

describe('images', () => {
  it('builds the app image once from the monorepo, prunes dev dependencies, runs as non-root', () => {
    expect(dockerProblems('infra/docker/Dockerfile')).toEqual([]);
    const runs = dockerInstructions('infra/docker/Dockerfile').filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    for (const step of ['npm ci', 'npm run protos:gen', 'npm run build', 'npm prune --omit=dev']) expect(runs).toContain(step);
    const scripts = (JSON.parse(read('package.json')) as { scripts?: Record<string, string> }).scripts ?? {};
    expect(Object.keys(scripts)).toEqual(expect.arrayContaining(['build', 'protos:gen']));
    expect(read('infra/docker/Dockerfile')).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
  });

  it('builds the gateway on Debian nginx with the template and the web UI', () => {
    expect(dockerProblems('infra/docker/gateway.Dockerfile')).toEqual([]);
    const text = read('infra/docker/gateway.Dockerfile');
    expect(text).toMatch(/^FROM debian:bookworm-slim AS runtime$/m);
    expect(text).toMatch(/apt-get install [^\n]*\bnginx\b/);
    expect(text).toContain('COPY infra/gateway/nginx.conf.template ');
    expect(text).toContain('/src/webui/dist/');
  });

  it('shares the cached build stages between the two Dockerfiles', () => {
    const stagesUpTo = (path: string): string => {
      const text = read(path);
      const start = text.indexOf('FROM ${NODE_IMAGE} AS manifests');
      const end = text.indexOf('RUN npm run protos:gen && npm run build');
      return text.slice(start, end).replace(/^#.*$/gm, '');
    };
    expect(stagesUpTo('infra/docker/gateway.Dockerfile')).toBe(stagesUpTo('infra/docker/Dockerfile'));
  });

  it('keeps dependencies, build output and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const pattern of ['**/node_modules', '**/dist', '.git', '.trellis', '**/.env']) expect(ignored).toContain(pattern);
  });

  it('ships executable entry scripts', () => {
    for (const script of ['infra/docker/provision.sh', 'infra/docker/gateway-entrypoint.sh']) {
      expect(() => accessSync(join(root, script), constants.X_OK), script).not.toThrow();
    }
    const provision = read('infra/docker/provision.sh');
    expect(provision).toContain(`for service in ${SERVICES.map((s) => s.name).join(' ')}; do`);
    expect(provision).toContain('node adm/dist/cli.js provision');
  });
});
