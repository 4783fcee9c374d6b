import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../paths.js';

const run = promisify(execFile);

export type DockerChoice = { readonly env: Record<string, string>; readonly note: string };

/** Does a Docker engine answer on the socket? (GET /_ping, a second at most) */
export function dockerAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const asked = request({ socketPath, path: '/_ping', timeout: 1000 }, (answer) => {
      answer.resume();
      resolve(answer.statusCode === 200);
    });
    asked.on('error', () => resolve(false));
    asked.on('timeout', () => asked.destroy());
    asked.end();
  });
}

/**
 * The docker site for a local instance: on when a Docker engine answers and the action base
 * image can be made (infra/images/build-base.sh, seconds, from this machine's packages), unless
 * TRELLIS_SITES or TRELLIS_IMAGES say otherwise. Then the runner also runs `site: docker`
 * workflows and the builder makes an image of every action it builds. Never fails `make up`.
 */
export async function chooseDockerSite(env: NodeJS.ProcessEnv): Promise<DockerChoice> {
  if (env['TRELLIS_SITES'] !== undefined || env['TRELLIS_IMAGES'] !== undefined) {
    return { env: {}, note: `sites: ${env['TRELLIS_SITES'] ?? 'local'} (TRELLIS_SITES), images: ${env['TRELLIS_IMAGES'] ?? 'none'} (TRELLIS_IMAGES)` };
  }
  const socket = env['TRELLIS_DOCKER_SOCKET'] ?? '/var/run/docker.sock';
  if (!(await dockerAnswers(socket))) return { env: {}, note: `docker site off: no Docker engine answers at ${socket} (workflows run on the local site)` };
  try {
    await run('bash', [join(repoRoot(), 'infra', 'images', 'build-base.sh')], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const why = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').at(-1);
    return { env: {}, note: `docker site off: the action base image could not be made (${why})` };
  }
  return { env: { TRELLIS_SITES: 'local,docker', TRELLIS_IMAGES: 'docker' }, note: 'docker site on: actions are also built as images, and `site: docker` workflows run in containers' };
}
