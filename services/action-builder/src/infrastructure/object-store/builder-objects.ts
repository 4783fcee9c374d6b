import { projectPrefix, type ObjectStore } from '@trellis/platform/object-store';
import type { ArtifactStore } from '../../application/ports.js';
import { SERVICE } from '../rabbitmq/topology.js';

/** `action-builder/projects/<project>/artifacts/<digest>.tar.gz`: content-addressed within the project (docs/build-path.md). */
export function artifactKey(projectId: string, digest: string): string {
  if (!/^[0-9a-f]{64}$/.test(digest)) throw new Error(`not a SHA-256 digest: ${JSON.stringify(digest)}`);
  return `${projectPrefix(SERVICE, projectId)}artifacts/${digest}.tar.gz`;
}

/** `action-builder/projects/<project>/builds/<build id>/log.txt` */
export function logKey(projectId: string, buildId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(buildId)) throw new Error(`not a build id: ${JSON.stringify(buildId)}`);
  return `${projectPrefix(SERVICE, projectId)}builds/${buildId}/log.txt`;
}

export function makeArtifactStore(store: ObjectStore): ArtifactStore {
  return {
    // The same digest is the same bytes: storing it again is harmless.
    put: async (projectId, artifact) => {
      const key = artifactKey(projectId, artifact.digest);
      await store.client.fPutObject(store.bucket, key, artifact.file, { 'Content-Type': 'application/gzip' });
      return key;
    },
  };
}

export async function putText(store: ObjectStore, key: string, text: string): Promise<void> {
  await store.client.putObject(store.bucket, key, Buffer.from(text, 'utf8'), undefined, { 'Content-Type': 'text/plain; charset=utf-8' });
}

/** The object's text, or undefined when there is none. */
export async function getText(store: ObjectStore, key: string): Promise<string | undefined> {
  try {
    const stream = await store.client.getObject(store.bucket, key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'NoSuchKey') return undefined;
    throw error;
  }
}
