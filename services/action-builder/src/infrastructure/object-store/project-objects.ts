import { removeObjectsUnder, type ObjectStore } from '@trellis/platform/object-store';
import type { ProjectObjects } from '../../application/ports.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Every object this service keeps for a project lives under `action-builder/projects/<id>/` in the
 * shared bucket: each service owns (and deletes) only its own. The id is checked so that no
 * other prefix can ever be formed.
 */
export function projectPrefix(projectId: string): string {
  if (!uuid.test(projectId)) throw new Error(`not a lowercase project id: ${JSON.stringify(projectId)}`);
  return `action-builder/projects/${projectId}/`;
}

export function makeProjectObjects(store: ObjectStore, options: { batchSize?: number } = {}): ProjectObjects {
  return { deleteAll: (projectId) => removeObjectsUnder(store, projectPrefix(projectId), options) };
}
