import { CliError, EXIT } from './exit-codes.js';

/** Between two reads of something a command waits for (a scan, a build, a deployment). */
export const POLL_MS = 500;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `--timeout <seconds>` as milliseconds (a usage error when it is not a positive number). */
export function timeoutMs(seconds: string | number): number {
  const value = Number(seconds);
  if (!Number.isFinite(value) || value <= 0) throw new CliError('usage', `--timeout must be a number of seconds, not "${seconds}"`, { exitCode: EXIT.usage });
  return value * 1000;
}

export const timedOut = (what: string, ms: number) => new CliError('timeout', `${what} after ${ms / 1000} s`, { hint: 'wait longer with --timeout SECONDS' });

/** `--timeout <seconds>` as a deadline; a wait past it is a failure saying what was still awaited. */
export function deadlineOf(timeoutSeconds: string | number): { check: (what: string) => void } {
  const ms = timeoutMs(timeoutSeconds);
  const end = Date.now() + ms;
  return {
    check: (what) => {
      if (Date.now() > end) throw timedOut(`${what} still not done`, ms);
    },
  };
}
