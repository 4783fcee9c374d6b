// Action images for the docker site's tests: artifacts built by the builder's own toolchain
// (scripts/build-artifact.mjs), put on the action base image the way the builder lays them out
// (/action, user 10001, the wrapper as entrypoint). The builder's own image code is another
// service's (services/action-builder): the end-to-end tests use it, through a real build.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { IoSpec } from '@trellis/kernel/io';
import type { ActionVersionRef } from '../../src/application/site.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const BASE_IMAGE = 'trellis/action-base:latest';

/** The action base image, made from this machine's packages when the engine lacks it (infra/images/build-base.sh). */
export async function ensureBaseImage(): Promise<void> {
  await run('docker', ['version'], { timeout: 20_000 }).catch((error: Error) => {
    throw new Error(`the Docker engine cannot be reached (make test-infra starts dockerd): ${error.message}`);
  });
  await run('bash', [path.join(root, 'infra/images/build-base.sh')], { cwd: root, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
}

type Built = { file: string; digest: string; size: number; definition: { id: string; version: string; kind: ActionVersionRef['kind']; runtime: string; inputs: IoSpec[]; outputs: IoSpec[] } };

/** Builds each folder into an artifact and an image; their refs as a deployment pins them (image included). */
export async function buildTestImages(dir: string, projectId: string, folders: readonly string[]): Promise<ActionVersionRef[]> {
  const args = folders.flatMap((folder, n) => [path.join(root, folder), path.join(dir, `artifact-${n}.tar.gz`)]);
  const { stdout } = await run(process.execPath, [path.join(root, 'scripts/build-artifact.mjs'), ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const built = stdout.trim().split('\n').map((line) => JSON.parse(line) as Built);
  return Promise.all(built.map(async ({ file, digest, size, definition }, n) => {
    const context = path.join(dir, `image-${n}`);
    await mkdir(path.join(context, 'action'), { recursive: true });
    await run('tar', ['-xzf', file, '-C', path.join(context, 'action')]);
    await writeFile(path.join(context, 'Dockerfile'), [
      `FROM ${BASE_IMAGE}`, 'COPY action /action', 'USER 10001:10001', 'WORKDIR /action',
      'ENTRYPOINT ["node", "/action/wrapper/cli.js", "action", "--host", "0.0.0.0", "--port", "8080"]', '',
    ].join('\n'));
    const image = `trellis-test/${definition.id}:${digest.slice(0, 12)}`;
    await run('docker', ['build', '-q', '-t', image, context], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, maxBuffer: 16 * 1024 * 1024 });
    return {
      projectId, actionId: definition.id, version: definition.version, digest, artifactObject: `unused/${digest}.tar.gz`, artifactSize: size,
      kind: definition.kind, runtime: definition.runtime, inputs: definition.inputs, outputs: definition.outputs, image,
    };
  }));
}
