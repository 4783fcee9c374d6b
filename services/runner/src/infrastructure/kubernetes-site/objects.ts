import type { V1Deployment, V1Namespace, V1NetworkPolicySpec, V1ObjectMeta, V1Service } from '@kubernetes/client-node';
import type { KubernetesSiteSettings } from './settings.js';
import { LABELS, namespaceOf, objectNameOf, PORT, projectLabels, versionAnnotations, versionLabels, type VersionProfile } from './names.js';

/*
 * The objects the site applies, as plain data (docs/kubernetes-site.md, "Objects"). Every one is
 * checked against the API's OpenAPI schema in the tests.
 */

type ObjectSettings = Pick<KubernetesSiteSettings, 'instance' | 'namespacePrefix' | 'runnerNamespace' | 'runnerLabels' | 'actionEnv'>;

/** The image's user (the builder makes it so): the pod runs as it and nothing else. */
const ACTION_USER = 10001;
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const POLICY_NAME = 'trellis-actions';

/**
 * Bodies go to the API as they are (the client serialises patches as `any`), so they are in the
 * wire's field names; the client's NetworkPolicy model says `_from` where the wire says `from`.
 */
type IngressRule = Omit<NonNullable<V1NetworkPolicySpec['ingress']>[number], '_from'> & { from?: NonNullable<V1NetworkPolicySpec['ingress']>[number]['_from'] };
export type WireNetworkPolicy = { apiVersion: 'networking.k8s.io/v1'; kind: 'NetworkPolicy'; metadata: V1ObjectMeta; spec: Omit<V1NetworkPolicySpec, 'ingress'> & { ingress: IngressRule[] } };

export function namespaceObject(settings: ObjectSettings, projectId: string): V1Namespace {
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: {
      name: namespaceOf(settings.namespacePrefix, projectId),
      // Pod Security admission refuses any pod there that is not as locked down as the site's own.
      labels: { ...projectLabels(settings.instance, projectId), 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' },
      annotations: { 'dev.trellis/project-id': projectId },
    },
  };
}

/**
 * Every pod of the namespace (only action pods live there) takes connections from the runner's
 * pods on the gRPC port alone; a policy that selects pods for Ingress denies what it does not allow.
 */
export function networkPolicyObject(settings: ObjectSettings, projectId: string): WireNetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: POLICY_NAME, namespace: namespaceOf(settings.namespacePrefix, projectId), labels: projectLabels(settings.instance, projectId) },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: settings.runnerNamespace } }, podSelector: { matchLabels: { ...settings.runnerLabels } } }],
        ports: [{ protocol: 'TCP', port: PORT }],
      }],
    },
  };
}

export function serviceObject(settings: ObjectSettings, profile: VersionProfile): V1Service {
  const name = objectNameOf(profile);
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: namespaceOf(settings.namespacePrefix, profile.ref.projectId), labels: versionLabels(settings.instance, profile), annotations: versionAnnotations(profile) },
    spec: { type: 'ClusterIP', selector: { [LABELS.deployment]: name }, ports: [{ name: 'grpc', port: PORT, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' }] },
  };
}

const millicores = (cores: number): string => `${Math.max(1, Math.round(cores * 1000))}m`;

/** Long enough for a call in flight on a pod being scaled away to finish (the wrapper drains on SIGTERM). */
const graceSecondsOf = (profile: VersionProfile): number => Math.min(3600, Math.ceil((profile.ref.timeoutMs ?? 300_000) / 1000) + 10);

/**
 * The version's Deployment. No `replicas`: the site owns them through the scale subresource (an
 * apply would put them back), a new Deployment starts with one. Probes are TCP on the gRPC port
 * (the wrapper serves no grpc.health.v1); the runner calls Init on each new pod before it routes
 * calls to it, so a port that opens before the wrapper serves is never used.
 */
export function deploymentObject(settings: ObjectSettings, profile: VersionProfile): V1Deployment {
  const name = objectNameOf(profile);
  const labels = versionLabels(settings.instance, profile);
  const annotations = versionAnnotations(profile);
  const resources = { cpu: millicores(profile.cpu), memory: String(profile.memoryBytes) };
  const seccompProfile = { type: 'RuntimeDefault' };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: namespaceOf(settings.namespacePrefix, profile.ref.projectId), labels, annotations },
    spec: {
      selector: { matchLabels: { [LABELS.deployment]: name } },
      revisionHistoryLimit: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: graceSecondsOf(profile),
          securityContext: { runAsNonRoot: true, runAsUser: ACTION_USER, runAsGroup: ACTION_USER, fsGroup: ACTION_USER, seccompProfile },
          containers: [{
            name: 'action',
            image: profile.image,
            imagePullPolicy: 'IfNotPresent',
            ports: [{ name: 'grpc', containerPort: PORT, protocol: 'TCP' }],
            env: Object.entries(settings.actionEnv ?? {}).map(([name, value]) => ({ name, value })),
            resources: { requests: resources, limits: resources },
            securityContext: {
              runAsNonRoot: true, runAsUser: ACTION_USER, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false,
              capabilities: { drop: ['ALL'] }, seccompProfile,
            },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            startupProbe: { tcpSocket: { port: 'grpc' }, periodSeconds: 1, failureThreshold: 120 },
            readinessProbe: { tcpSocket: { port: 'grpc' }, periodSeconds: 5, failureThreshold: 2 },
            livenessProbe: { tcpSocket: { port: 'grpc' }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}
