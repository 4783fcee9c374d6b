import { mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { packDeterministic, sha256OfFile } from '@trellis/platform/archive';
import { projectPrefix, removeObjectsUnder, type ObjectStore } from '@trellis/platform/object-store';
import type { SourceArchives, SourceObjects } from '../../application/ports.js';
import { SERVICE } from '../rabbitmq/topology.js';

/** `repository/projects/<project>/sources/<source>/`: every object of one source (docs/build-path.md). */
export function sourcePrefix(projectId: string, sourceId: string): string {
  return `${projectPrefix(SERVICE, projectId)}sources/${sourceId}/`;
}

/**
 * Packs each action folder deterministically (same files, same bytes) and stores it at
 * `<source prefix><sha256>.tar.gz`: content-addressed, so an unchanged action is the same
 * object scan after scan and the builder checks what it fetches against the hash.
 */
export function makeSourceArchives(options: { store: ObjectStore; workDir: string }): SourceArchives {
  const { store } = options;
  return {
    store: async ({ projectId, sourceId, root, found }) => {
      const scratch = await mkdtemp(path.join(options.workDir, 'trellis-pack-'));
      try {
        const archive = path.join(scratch, 'source.tar.gz');
        await packDeterministic(path.join(root, found.folder), archive);
        const sha256 = await sha256OfFile(archive);
        const size = (await stat(archive)).size;
        const object = `${sourcePrefix(projectId, sourceId)}${sha256}.tar.gz`;
        if (!(await exists(store, object))) await store.client.fPutObject(store.bucket, object, archive, { 'Content-Type': 'application/gzip' });
        return { ...found, sha256, size, object };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  };
}

async function exists(store: ObjectStore, object: string): Promise<boolean> {
  try {
    await store.client.statObject(store.bucket, object);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'NotFound' || code === 'NoSuchKey') return false;
    throw error;
  }
}

/** A deleted source takes its tarballs with it. */
export function makeSourceObjects(store: ObjectStore): SourceObjects {
  return {
    deleteAll: async (projectId, sourceId) => {
      await removeObjectsUnder(store, sourcePrefix(projectId, sourceId));
    },
  };
}
