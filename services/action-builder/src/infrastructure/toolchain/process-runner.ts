import { spawn } from 'node:child_process';
import type { StepContext } from '../../application/ports.js';

export type CommandResult = {
  /** Exit code; null when a signal ended it. */
  readonly code: number | null;
  /** The last lines of its output (stdout and stderr interleaved), for finding a reason. */
  readonly output: string;
};

export type Command = {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Arguments shown in the log in place of the real ones (none today hold a secret). */
  readonly shown?: string;
};

const OUTPUT_KEEP_CHARS = 64 * 1024;

/** Splits chunks into lines (a trailing partial line waits for its end). */
function lineSplitter(onLine: (line: string) => void): { push: (chunk: string) => void; end: () => void } {
  let rest = '';
  return {
    push: (chunk) => {
      const parts = (rest + chunk).split(/\r?\n|\r/);
      rest = parts.pop() ?? '';
      for (const part of parts) onLine(part);
    },
    end: () => {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}

/**
 * Runs one command of a build in a process group of its own, every line of its output into the
 * build's log. When the attempt's signal fires, the whole group gets SIGTERM, then SIGKILL after
 * `graceMs`: npm and pip start children of their own, and none may outlive a canceled build.
 */
export function runCommand(spec: Command, context: StepContext, graceMs = 3000): Promise<CommandResult> {
  const { log, signal } = context;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve({ code: null, output: '' });
    const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: { ...spec.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onLine = (line: string) => {
      log.write(line);
      output = (output + line + '\n').slice(-OUTPUT_KEEP_CHARS);
    };
    const out = lineSplitter(onLine);
    const err = lineSplitter(onLine);
    child.stdout.setEncoding('utf8').on('data', out.push);
    child.stderr.setEncoding('utf8').on('data', err.push);
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // the group is gone already
      }
    };
    const stop = () => {
      log.write(`[builder] stopping ${spec.command} (process group ${child.pid ?? '?'})`);
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), graceMs);
    };
    child.once('spawn', () => log.write(`$ ${spec.command} ${spec.shown ?? spec.args.join(' ')}   [pid ${child.pid ?? '?'}]`));
    child.once('error', (error) => {
      signal.removeEventListener('abort', stop);
      reject(new Error(`cannot run ${spec.command}: ${error.message}`, { cause: error }));
    });
    // Whatever the command left running in its group goes with it (and lets go of its pipes).
    child.once('exit', () => killGroup('SIGKILL'));
    child.once('close', (code) => {
      out.end();
      err.end();
      signal.removeEventListener('abort', stop);
      clearTimeout(killTimer);
      resolve({ code, output });
    });
    signal.addEventListener('abort', stop, { once: true });
  });
}
