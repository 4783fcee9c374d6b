import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ok, rejected } from '@trellis/kernel/result';
import type { Checkout, CloneRequest, Git } from '../../application/ports.js';
import type { ScanFailure } from '../../domain/scan.js';
import { cloneFailureOf, receivedBytes } from './clone-failure.js';
import { GIT_OPTIONS, gitEnv, writeAskpass } from './git-env.js';
import { runGit, type GitRun } from './run-git.js';

export type GitLimits = { readonly timeoutMs: number; readonly maxBytes: number; readonly maxFiles: number };

/** Thrown inside a checkout to end it with a failure the user is told about. */
class Refused extends Error {
  constructor(readonly failure: ScanFailure) {
    super(failure.code);
  }
}

/**
 * The Git port on the system's git: a shallow clone of one branch without checkout, the tree
 * measured against the limits (file count, size) before a single file is written, then the
 * checkout. Everything happens in a folder of its own under `workDir`, removed by `dispose`
 * (or at once when the clone fails).
 */
export function makeGit(options: { workDir: string; limits: GitLimits }): Git {
  const { limits } = options;
  return {
    checkout: async (request, signal) => {
      await mkdir(options.workDir, { recursive: true });
      const folder = await mkdtemp(path.join(options.workDir, 'trellis-scan-'));
      const dispose = () => rm(folder, { recursive: true, force: true });
      try {
        return ok(await checkOut(folder, request, signal, limits, dispose));
      } catch (error) {
        await dispose();
        if (error instanceof Refused) return rejected(error.failure);
        throw error;
      }
    },
  };
}

async function checkOut(folder: string, request: CloneRequest, signal: AbortSignal, limits: GitLimits, dispose: () => Promise<void>): Promise<Checkout> {
  const deadline = Date.now() + limits.timeoutMs;
  const home = path.join(folder, 'home');
  await mkdir(home);
  const askpass = request.credentials ? await writeAskpass(folder) : undefined;
  const env = gitEnv(home, request.credentials && askpass ? { ...request.credentials, askpass } : null);
  const root = path.join(folder, 'repository');
  const git = async (args: readonly string[], watch?: (stderr: string) => boolean): Promise<GitRun> => {
    const run = await runGit([...GIT_OPTIONS, ...args], { env, deadline, signal, cwd: folder, ...(watch ? { watch } : {}) });
    if (run.stopped === 'timeout') throw new Refused({ code: 'timed_out', limitMs: limits.timeoutMs });
    if (run.stopped === 'limit') throw new Refused({ code: 'too_large', limitBytes: limits.maxBytes });
    if (run.stopped === 'aborted') throw new Refused({ code: 'internal_error' });
    return run;
  };

  let progress = '';
  const clone = await git(
    ['clone', '--no-checkout', '--depth', '1', '--single-branch', '--no-tags', '--progress', ...(request.branch ? ['--branch', request.branch] : []), '--', request.url, root],
    (stderr) => {
      progress = (progress + stderr).slice(-4096);
      return (receivedBytes(progress) ?? 0) > limits.maxBytes;
    },
  );
  const context = { url: request.url, branch: request.branch, hasCredentials: request.credentials !== null };
  if (clone.code !== 0) throw new Refused(cloneFailureOf(clone.stderr, context));
  if (/cloned an empty repository/.test(clone.stderr)) throw new Refused({ code: 'empty_repository' });
  if ((await sizeOf(path.join(root, '.git'))) > limits.maxBytes) throw new Refused({ code: 'too_large', limitBytes: limits.maxBytes });

  const tree = await git(['-C', root, 'ls-tree', '-r', '-l', '--full-tree', 'HEAD']);
  if (tree.code !== 0) throw new Refused({ code: 'clone_failed' });
  const entries = tree.stdout.split('\n').filter(Boolean);
  if (entries.length > limits.maxFiles) throw new Refused({ code: 'too_many_files', limit: limits.maxFiles });
  const bytes = entries.reduce((sum, line) => sum + (Number(/^\S+ \S+ \S+ +(\d+)\t/.exec(line)?.[1]) || 0), 0);
  if (bytes > limits.maxBytes) throw new Refused({ code: 'too_large', limitBytes: limits.maxBytes });

  const checkout = await git(['-C', root, 'reset', '--hard', '--quiet', 'HEAD']);
  if (checkout.code !== 0) throw new Refused({ code: 'clone_failed' });
  const commit = (await git(['-C', root, 'rev-parse', 'HEAD'])).stdout.trim();
  const branch = (await git(['-C', root, 'symbolic-ref', '--short', 'HEAD'])).stdout.trim();
  if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new Refused({ code: 'clone_failed' });
  // What follows reads the files only: without git's own folder, an action at the root packs its files and nothing else.
  await rm(path.join(root, '.git'), { recursive: true, force: true });
  return { root, commit, branch: branch || (request.branch ?? ''), dispose };
}

/** Bytes on disk under `folder`, links not followed. */
async function sizeOf(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) total += await sizeOf(full);
    else total += (await lstat(full)).size;
  }
  return total;
}
