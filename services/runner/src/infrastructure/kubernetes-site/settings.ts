import { parseCpu, parseMemory } from '@trellis/kernel/quantities';
import { z } from 'zod';

/** Where the site reaches one pod's wrapper: `<pod ip>:8080` unless a test points it elsewhere. */
export type PodTarget = { readonly namespace: string; readonly service: string; readonly pod: string; readonly podIp: string };

export type KubernetesSiteSettings = {
  /** The instance's id: a label on everything the site creates, so two instances on one cluster never touch each other's objects. */
  readonly instance: string;
  /** A project's namespace is this prefix and its id. */
  readonly namespacePrefix: string;
  /** Where the runner's own pods run, and their labels: the only pods the action pods' NetworkPolicy lets in. */
  readonly runnerNamespace: string;
  readonly runnerLabels: Readonly<Record<string, string>>;
  /** How long a version's first pod may take to serve (prepare, and a cold start after scale to zero). */
  readonly readyTimeoutMs: number;
  /** Calls in flight per replica: beyond it the version scales up. */
  readonly targetConcurrency: number;
  readonly maxReplicas: number;
  /** A version without calls for this long is scaled to zero. */
  readonly idleMs: number;
  readonly clusterDomain: string;
  /** Requests and limits of a version whose manifest names none. */
  readonly defaultCpu: number;
  readonly defaultMemoryBytes: number;
  /** Overrides where a pod's wrapper is reached (tests: a wrapper on 127.0.0.1). */
  readonly addressOf?: (target: PodTarget) => string;
  /** How often a busy version checks whether it can do with fewer replicas (default: idleMs, at most a minute). */
  readonly scaleDownEveryMs?: number;
  /** Given to every action pod (actionEnvironment). */
  readonly actionEnv?: Readonly<Record<string, string>>;
};

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const labelPairs = z.string().transform((text, context) => {
  const pairs = text.split(',').map((pair) => pair.trim()).filter((pair) => pair !== '');
  const entries = pairs.map((pair) => pair.split('=').map((part) => part.trim()));
  if (pairs.length === 0 || entries.some((entry) => entry.length !== 2 || entry[0] === '' || entry[1] === '')) {
    context.addIssue({ code: 'custom', message: `expected comma-separated key=value labels (app.kubernetes.io/name=runner), got "${text}"` });
    return z.NEVER;
  }
  return Object.fromEntries(entries) as Record<string, string>;
});
/** Env values are strings: a plain number is cores ("0.1"), "100m" millicores. */
const cpu = z.string().transform((text, context) => {
  const parsed = parseCpu(/^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text);
  if (parsed.ok) return parsed.value;
  context.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});
const memory = z.string().transform((text, context) => {
  const parsed = parseMemory(text);
  if (parsed.ok) return parsed.value;
  context.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

/**
 * The site's environment (docs/kubernetes-site.md, "Settings"); the runner's config spreads it
 * into its own schema. TRELLIS_K8S_IDLE_MS falls back to TRELLIS_RUNNER_IDLE_MS.
 */
export const kubernetesSiteEnvShape = {
  // A label value (trellis-adm's instance names have underscores: trellis_main_3f2a1b).
  TRELLIS_INSTANCE: z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/, 'letters, digits, "_", "." and "-", at most 63, starting and ending with a letter or digit').default('trellis'),
  TRELLIS_K8S_NAMESPACE_PREFIX: z.string().regex(/^[a-z]([a-z0-9-]{0,30})$/, 'lower-case letters, digits and dashes, starting with a letter, at most 31').default('trellis-p-'),
  TRELLIS_K8S_RUNNER_NAMESPACE: z.string().min(1).default('trellis'),
  TRELLIS_K8S_RUNNER_LABELS: labelPairs.default({ 'app.kubernetes.io/name': 'runner' }),
  TRELLIS_K8S_READY_TIMEOUT_MS: positiveInt(120_000),
  TRELLIS_K8S_TARGET_CONCURRENCY: positiveInt(8),
  TRELLIS_K8S_MAX_REPLICAS: positiveInt(10),
  TRELLIS_K8S_IDLE_MS: z.coerce.number().int().min(100).optional(),
  TRELLIS_RUNNER_IDLE_MS: z.coerce.number().int().min(100).default(300_000),
  TRELLIS_K8S_CLUSTER_DOMAIN: z.string().min(1).default('cluster.local'),
  TRELLIS_K8S_DEFAULT_CPU: cpu.default(0.1),
  TRELLIS_K8S_DEFAULT_MEMORY: memory.default(256 * 1024 * 1024),
};

const envSchema = z.object(kubernetesSiteEnvShape);

/** The site's settings from the environment; throws with every problem when a value is wrong. */
export function kubernetesSiteSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): KubernetesSiteSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`the kubernetes site's settings are wrong: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return kubernetesSiteSettingsOf(parsed.data);
}

/** The site's settings from the runner's parsed environment (its config spreads kubernetesSiteEnvShape). */
export function kubernetesSiteSettingsOf(e: z.output<typeof envSchema>): KubernetesSiteSettings {
  return {
    instance: e.TRELLIS_INSTANCE,
    namespacePrefix: e.TRELLIS_K8S_NAMESPACE_PREFIX,
    runnerNamespace: e.TRELLIS_K8S_RUNNER_NAMESPACE,
    runnerLabels: e.TRELLIS_K8S_RUNNER_LABELS,
    readyTimeoutMs: e.TRELLIS_K8S_READY_TIMEOUT_MS,
    targetConcurrency: e.TRELLIS_K8S_TARGET_CONCURRENCY,
    maxReplicas: e.TRELLIS_K8S_MAX_REPLICAS,
    idleMs: e.TRELLIS_K8S_IDLE_MS ?? e.TRELLIS_RUNNER_IDLE_MS,
    clusterDomain: e.TRELLIS_K8S_CLUSTER_DOMAIN,
    defaultCpu: e.TRELLIS_K8S_DEFAULT_CPU,
    defaultMemoryBytes: e.TRELLIS_K8S_DEFAULT_MEMORY,
  };
}
