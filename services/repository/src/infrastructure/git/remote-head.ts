import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { GIT_OPTIONS, gitEnv } from './git-env.js';
import { runGit } from './run-git.js';

/**
 * The commit a repository's default branch points at (`git ls-remote`), without cloning it; undefined when
 * the repository cannot be read (the scan that follows says why, in plain words).
 */
export async function readRemoteHead(url: string, options: { workDir: string; timeoutMs: number }): Promise<string | undefined> {
  await mkdir(options.workDir, { recursive: true });
  const home = await mkdtemp(path.join(options.workDir, 'trellis-head-'));
  try {
    const run = await runGit([...GIT_OPTIONS, 'ls-remote', '--', url, 'HEAD'], {
      env: gitEnv(home, null), deadline: Date.now() + options.timeoutMs, signal: new AbortController().signal, cwd: home,
    });
    const commit = run.code === 0 ? /^([0-9a-f]{40,64})\tHEAD$/m.exec(run.stdout)?.[1] : undefined;
    return commit;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
