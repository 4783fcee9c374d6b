import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { sha256OfFile, unpackChecked, type UnpackLimits } from '@trellis/platform/archive';
import type { ObjectStore } from '@trellis/platform/object-store';
import type { BuildFailure, StepContext, Workspace } from '../../application/ports.js';
import type { Build } from '../../domain/build.js';

/** Where a build's files go in its workspace: the artifact's two parts, and what stays out of it. */
export const layout = (workspace: Workspace) => ({
  sourceArchive: path.join(workspace.dir, 'source.tar.gz'),
  artifactRoot: path.join(workspace.dir, 'artifact'),
  action: path.join(workspace.dir, 'artifact', 'action'),
  wrapper: path.join(workspace.dir, 'artifact', 'wrapper'),
  artifactArchive: path.join(workspace.dir, 'artifact.tar.gz'),
  scratch: path.join(workspace.dir, 'scratch'),
});

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'NoSuchKey' || code === 'NotFound';
}

/**
 * The source tarball the scan stored, checked against the SHA-256 the request carries (a
 * tarball replaced since the scan is refused), unpacked with the platform's checks (no path out
 * of the folder, size and entry limits) as the artifact's `action/` folder.
 */
export async function fetchSource(store: ObjectStore, limits: UnpackLimits, build: Build, workspace: Workspace, context: StepContext): Promise<Result<string, BuildFailure>> {
  const where = layout(workspace);
  context.log.write(`[builder] fetching the source ${build.sourceObject}`);
  try {
    await store.client.fGetObject(store.bucket, build.sourceObject, where.sourceArchive);
  } catch (error) {
    if (isMissing(error)) return rejected({ reason: 'the source tarball of this build is gone (the source was scanned again or deleted); scan the source and build again' });
    throw error;
  }
  const digest = await sha256OfFile(where.sourceArchive);
  if (digest !== build.sourceSha256) {
    return rejected({ reason: `the source tarball does not match the scan (SHA-256 ${digest}, expected ${build.sourceSha256}); scan the source and build again` });
  }
  await mkdir(where.action, { recursive: true });
  try {
    await unpackChecked(where.sourceArchive, where.action, limits);
  } catch (error) {
    return rejected({ reason: `the source tarball cannot be unpacked: ${(error as Error).message}` });
  }
  return ok(where.action);
}
