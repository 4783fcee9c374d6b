import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { unpackChecked, type UnpackLimits } from '@trellis/platform/archive';
import type { ObjectStore } from '@trellis/platform/object-store';
import type { ActionVersionRef, PrepareFailure } from '../../application/site.js';

export type ArtifactCache = {
  /** The unpacked artifact's folder: fetched, checked against the digest and unpacked once per digest. */
  folderOf: (action: ActionVersionRef) => Promise<Result<string, PrepareFailure>>;
};

const DIGEST = /^[0-9a-f]{64}$/;

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'NoSuchKey' || code === 'NotFound';
}

/**
 * Artifacts on disk by digest under `<workDir>/artifacts/<digest>/`: the object is streamed to a
 * file while it is hashed, refused unless its SHA-256 is the digest, unpacked with the platform's
 * checks into a fresh folder and renamed into place, so a folder that exists is complete.
 * Concurrent callers of one digest share one fetch; a failed fetch is tried again by the next.
 */
export function makeArtifactCache(store: ObjectStore, workDir: string, limits: UnpackLimits): ArtifactCache {
  const root = path.join(workDir, 'artifacts');
  const pending = new Map<string, Promise<Result<string, PrepareFailure>>>();

  const fetchAndUnpack = async (action: ActionVersionRef): Promise<Result<string, PrepareFailure>> => {
    const folder = path.join(root, action.digest);
    if (await stat(folder).then((info) => info.isDirectory(), () => false)) return ok(folder);
    await mkdir(root, { recursive: true });
    const scratch = path.join(root, `.incoming-${action.digest}-${randomUUID()}`);
    const archive = `${scratch}.tar.gz`;
    try {
      let body: NodeJS.ReadableStream;
      try {
        body = await store.client.getObject(store.bucket, action.artifactObject);
      } catch (error) {
        if (isMissing(error)) return rejected({ reason: `the artifact of ${action.actionId} ${action.version} is not in the object store (${action.artifactObject})` });
        throw error;
      }
      const hash = createHash('sha256');
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(body, hashing, createWriteStream(archive));
      const digest = hash.digest('hex');
      if (digest !== action.digest) {
        return rejected({ reason: `the artifact of ${action.actionId} ${action.version} does not match its digest (SHA-256 ${digest}, expected ${action.digest}); it was refused` });
      }
      await mkdir(scratch);
      try {
        await unpackChecked(archive, scratch, limits);
      } catch (error) {
        return rejected({ reason: `the artifact of ${action.actionId} ${action.version} cannot be unpacked: ${(error as Error).message}` });
      }
      await rename(scratch, folder).catch(async (error: unknown) => {
        // Another process sharing the work dir put the same digest in place first: theirs is as good.
        if (!(await stat(folder).then(() => true, () => false))) throw error;
      });
      return ok(folder);
    } finally {
      await Promise.all([rm(archive, { force: true }), rm(scratch, { recursive: true, force: true })]);
    }
  };

  return {
    folderOf(action) {
      if (!DIGEST.test(action.digest)) return Promise.resolve(rejected({ reason: `the digest of ${action.actionId} ${action.version} is not a SHA-256 in hex: ${JSON.stringify(action.digest)}` }));
      let shared = pending.get(action.digest);
      if (shared === undefined) {
        shared = fetchAndUnpack(action).finally(() => pending.delete(action.digest));
        pending.set(action.digest, shared);
      }
      return shared;
    },
  };
}
