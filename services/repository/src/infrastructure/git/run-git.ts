import { spawn } from 'node:child_process';

export type GitRun = { readonly code: number | null; readonly stdout: string; readonly stderr: string; readonly stopped: 'timeout' | 'aborted' | 'limit' | null };

export type GitRunOptions = {
  readonly cwd?: string;
  /** The whole environment of the child: nothing of the service's own (its database URL, its keys) reaches git. */
  readonly env: Readonly<Record<string, string>>;
  readonly deadline: number;
  readonly signal: AbortSignal;
  /** Sees stderr as it comes (git's progress); returning true stops git (a limit was passed). */
  readonly watch?: (stderr: string) => boolean;
  /** Keeps at most this much of stdout. */
  readonly maxStdout?: number;
};

const MAX_STDERR = 64 * 1024;

/**
 * Runs the system git in a process group of its own, so that stopping it (deadline, abort, a
 * passed limit) also stops the helpers it started (git-remote-https, index-pack).
 */
export function runGit(args: readonly string[], options: GitRunOptions): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const remaining = options.deadline - Date.now();
    if (remaining <= 0) return resolve({ code: null, stdout: '', stderr: '', stopped: 'timeout' });
    if (options.signal.aborted) return resolve({ code: null, stdout: '', stderr: '', stopped: 'aborted' });
    const child = spawn('git', args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stopped: GitRun['stopped'] = null;
    const stop = (why: NonNullable<GitRun['stopped']>) => {
      stopped ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => stop('timeout'), remaining);
    const onAbort = () => stop('aborted');
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < (options.maxStdout ?? 16 * 1024 * 1024)) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr = (stderr + text).slice(-MAX_STDERR);
      if (options.watch?.(text)) stop('limit');
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve({ code, stdout, stderr, stopped });
    });
  });
}
