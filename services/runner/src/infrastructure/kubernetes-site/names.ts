import { createHash } from 'node:crypto';
import type { ActionVersionRef } from '../../application/site.js';

/**
 * Names and labels of what the site creates. Kubernetes names are DNS labels (at most 63
 * lower-case letters, digits and dashes, a letter first for a Service); label values at most 63
 * of letters, digits, `-_.`, alphanumeric at both ends. Ids and versions do not always fit, so
 * labels carry a sanitised value (for selectors and people) and annotations the full one.
 */

export const PORT = 8080;
export const MANAGED_BY = 'trellis';
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  instance: 'dev.trellis/instance',
  project: 'dev.trellis/project',
  action: 'dev.trellis/action',
  version: 'dev.trellis/version',
  digest: 'dev.trellis/digest',
  /** The Deployment's own selector: one per version and resource profile. */
  deployment: 'dev.trellis/action-deployment',
} as const;
export const ANNOTATIONS = {
  project: 'dev.trellis/project-id',
  action: 'dev.trellis/action-id',
  version: 'dev.trellis/action-version',
  digest: 'dev.trellis/artifact-digest',
  image: 'dev.trellis/image',
} as const;

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Lower-case letters, digits and dashes, no dash at either end, at most `max`. */
function dnsPart(text: string, max: number): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, max).replace(/^-+|-+$/g, '');
}

/** A label value: the allowed characters kept, the rest dashes, trimmed to 63 and to alphanumeric ends. */
export function labelValue(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** The project's namespace: the prefix and its id, shortened with a hash when they do not fit 63. */
export function namespaceOf(prefix: string, projectId: string): string {
  const whole = dnsPart(projectId, 63);
  if (prefix.length + whole.length <= 63 && whole !== '') return `${prefix}${whole}`;
  const room = 63 - prefix.length - 9;
  return `${prefix}${dnsPart(projectId, room)}-${hashOf(projectId).slice(0, 8)}`.replace(/--+/g, '-');
}

/** A version as the site runs it: the pinned artifact, its image and its requests (another profile is another Deployment). */
export type VersionProfile = { readonly ref: ActionVersionRef; readonly image: string; readonly cpu: number; readonly memoryBytes: number };

export function keyOf(profile: VersionProfile): string {
  const { ref } = profile;
  return [ref.projectId, ref.actionId, ref.version, ref.digest, profile.image, profile.cpu, profile.memoryBytes].join('\n');
}

/**
 * The Deployment's and Service's name: the action id (a letter first) and a hash of the whole key,
 * at most 47 so the pods' names (two generated parts more) stay within a DNS label.
 */
export function objectNameOf(profile: VersionProfile): string {
  const id = dnsPart(profile.ref.actionId, 26);
  const head = /^[a-z]/.test(id) ? id : `a-${id}`.slice(0, 26).replace(/-+$/, '');
  return `${head}-${hashOf(keyOf(profile)).slice(0, 20)}`;
}

/** Labels every object of a project carries. */
export function projectLabels(instance: string, projectId: string): Record<string, string> {
  return { [LABELS.managedBy]: MANAGED_BY, [LABELS.instance]: labelValue(instance), [LABELS.project]: labelValue(projectId) };
}

/** Labels of a version's Deployment, Service and pods (the selector label among them). */
export function versionLabels(instance: string, profile: VersionProfile): Record<string, string> {
  const { ref } = profile;
  return {
    ...projectLabels(instance, ref.projectId),
    [LABELS.component]: 'action',
    [LABELS.action]: labelValue(ref.actionId),
    [LABELS.version]: labelValue(ref.version),
    [LABELS.digest]: labelValue(ref.digest),
    [LABELS.deployment]: objectNameOf(profile),
  };
}

export function versionAnnotations(profile: VersionProfile): Record<string, string> {
  const { ref } = profile;
  return { [ANNOTATIONS.project]: ref.projectId, [ANNOTATIONS.action]: ref.actionId, [ANNOTATIONS.version]: ref.version, [ANNOTATIONS.digest]: ref.digest, [ANNOTATIONS.image]: profile.image };
}

export const selectorOf = (profile: VersionProfile): string => `${LABELS.deployment}=${objectNameOf(profile)}`;
