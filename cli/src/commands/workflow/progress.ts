import cliProgress from 'cli-progress';
import { CliError, EXIT } from '../../exit-codes.js';
import { colorStatus, formatDuration, note } from '../../output.js';

/** The state of each thing a wait follows (a deployment, a run's steps), on stderr: a bar per thing on a terminal, a line at each change otherwise. */
export type Progress = { update: (label: string, state: string, done?: boolean) => void; stop: () => void };

function barProgress(): Progress {
  const bars = new cliProgress.MultiBar({
    stream: process.stderr, format: '{label} [{bar}] {state} {elapsed}', barsize: 16, hideCursor: true, clearOnComplete: false, autopadding: true,
  }, cliProgress.Presets.shades_classic);
  const started = Date.now();
  const byLabel = new Map<string, cliProgress.SingleBar>();
  return {
    update: (label, state, done = false) => {
      const bar = byLabel.get(label) ?? bars.create(2, 0, { label, state, elapsed: '' });
      byLabel.set(label, bar);
      bar.update(done ? 2 : 1, { state: colorStatus(state), elapsed: formatDuration(Date.now() - started) });
    },
    stop: () => bars.stop(),
  };
}

function lineProgress(): Progress {
  const last = new Map<string, string>();
  const started = Date.now();
  return {
    update: (label, state) => {
      if (last.get(label) === state) return;
      last.set(label, state);
      note(`${label}: ${state} (${formatDuration(Date.now() - started)})`);
    },
    stop: () => undefined,
  };
}

export function makeProgress(): Progress {
  return process.stderr.isTTY ? barProgress() : lineProgress();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `--timeout <seconds>` as milliseconds. */
export function timeoutMs(seconds: string | number): number {
  const value = Number(seconds);
  if (!Number.isFinite(value) || value <= 0) throw new CliError('usage', `--timeout must be a number of seconds, not "${seconds}"`, { exitCode: EXIT.usage });
  return value * 1000;
}

export const timedOut = (what: string, ms: number) => new CliError('timeout', `${what} after ${ms / 1000} s`, { hint: 'wait longer with --timeout SECONDS' });
