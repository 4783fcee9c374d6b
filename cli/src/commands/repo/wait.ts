import { CliError, EXIT } from '../../exit-codes.js';

export const POLL_MS = 500;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `--timeout <seconds>` as a deadline; a wait past it is a failure saying what was still awaited. */
export function deadlineOf(timeoutSeconds: string | number): { check: (what: string) => void } {
  const seconds = Number(timeoutSeconds);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError('usage', `--timeout must be a number of seconds, not "${timeoutSeconds}"`, { exitCode: EXIT.usage });
  const end = Date.now() + seconds * 1000;
  return {
    check: (what) => {
      if (Date.now() > end) throw new CliError('timeout', `${what} still not done after ${seconds} s`, { hint: 'wait longer with --timeout SECONDS' });
    },
  };
}
