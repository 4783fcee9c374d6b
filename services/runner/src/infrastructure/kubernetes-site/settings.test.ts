import { describe, expect, it } from 'vitest';
import { kubernetesSiteSettingsFromEnv } from './settings.js';

describe('the kubernetes site settings from the environment', () => {
  it('has defaults for everything', () => {
    expect(kubernetesSiteSettingsFromEnv({})).toEqual({
      instance: 'trellis', namespacePrefix: 'trellis-p-', runnerNamespace: 'trellis', runnerLabels: { 'app.kubernetes.io/name': 'runner' },
      readyTimeoutMs: 120_000, targetConcurrency: 8, maxReplicas: 10, idleMs: 300_000, clusterDomain: 'cluster.local', defaultCpu: 0.1, defaultMemoryBytes: 256 * 1024 * 1024,
    });
  });

  it('reads every variable, the idle time falling back to the runner\'s', () => {
    const env = {
      TRELLIS_INSTANCE: 'trellis_main_3f2a1b', TRELLIS_K8S_NAMESPACE_PREFIX: 'acme-', TRELLIS_K8S_RUNNER_NAMESPACE: 'platform',
      TRELLIS_K8S_RUNNER_LABELS: 'app.kubernetes.io/name=runner, app.kubernetes.io/instance=prod-eu', TRELLIS_K8S_READY_TIMEOUT_MS: '30000',
      TRELLIS_K8S_TARGET_CONCURRENCY: '4', TRELLIS_K8S_MAX_REPLICAS: '20', TRELLIS_RUNNER_IDLE_MS: '60000', TRELLIS_K8S_CLUSTER_DOMAIN: 'k8s.example',
      TRELLIS_K8S_DEFAULT_CPU: '250m', TRELLIS_K8S_DEFAULT_MEMORY: '1Gi',
    };
    expect(kubernetesSiteSettingsFromEnv(env)).toEqual({
      instance: 'trellis_main_3f2a1b', namespacePrefix: 'acme-', runnerNamespace: 'platform', runnerLabels: { 'app.kubernetes.io/name': 'runner', 'app.kubernetes.io/instance': 'prod-eu' },
      readyTimeoutMs: 30_000, targetConcurrency: 4, maxReplicas: 20, idleMs: 60_000, clusterDomain: 'k8s.example', defaultCpu: 0.25, defaultMemoryBytes: 1024 ** 3,
    });
    expect(kubernetesSiteSettingsFromEnv({ ...env, TRELLIS_K8S_IDLE_MS: '900', TRELLIS_K8S_DEFAULT_CPU: '2' })).toMatchObject({ idleMs: 900, defaultCpu: 2 });
  });

  it.each([
    ['TRELLIS_K8S_RUNNER_LABELS', 'runner', 'key=value'],
    ['TRELLIS_K8S_DEFAULT_CPU', 'lots', 'bad cpu'],
    ['TRELLIS_K8S_DEFAULT_MEMORY', '1 GB', 'bad memory'],
    ['TRELLIS_K8S_MAX_REPLICAS', '0', 'TRELLIS_K8S_MAX_REPLICAS'],
    ['TRELLIS_INSTANCE', '_prod', 'at most 63'],
    ['TRELLIS_K8S_NAMESPACE_PREFIX', '-x', 'TRELLIS_K8S_NAMESPACE_PREFIX'],
  ])('refuses %s=%s', (name, value, says) => {
    expect(() => kubernetesSiteSettingsFromEnv({ [name]: value })).toThrow(says);
  });
});
