import cliProgress from 'cli-progress';
import { colorStatus, formatDuration, note } from './output.js';

/**
 * The state of each thing a wait follows (an action's build, a deployment, a run's steps), on
 * stderr: a bar per thing on a terminal, a line at each change otherwise.
 */
export type Progress = { update: (label: string, state: string, done?: boolean) => void; stop: () => void };

/** How far a bar goes: waiting a third, under way two thirds, done full. */
const WAITING = new Set(['queued', 'pending', 'requested', 'waiting']);
const FULL = 3;

function barProgress(labels: readonly string[]): Progress {
  const width = Math.max(0, ...labels.map((label) => label.length));
  const bars = new cliProgress.MultiBar({
    stream: process.stderr, format: '{label} [{bar}] {state} {elapsed}', barsize: 20, hideCursor: true, clearOnComplete: false, autopadding: true,
  }, cliProgress.Presets.shades_classic);
  const started = Date.now();
  const byLabel = new Map<string, cliProgress.SingleBar>();
  const barOf = (label: string) => {
    const bar = byLabel.get(label) ?? bars.create(FULL, 0, { label: label.padEnd(width), state: '', elapsed: '' });
    byLabel.set(label, bar);
    return bar;
  };
  for (const label of labels) barOf(label);
  return {
    update: (label, state, done = false) => {
      barOf(label).update(done ? FULL : WAITING.has(state) ? 1 : 2, { state: colorStatus(state), elapsed: formatDuration(Date.now() - started) });
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

/** `labels`: the things known from the start (their bars line up); others get a bar when first updated. */
export function makeProgress(labels: readonly string[] = []): Progress {
  return process.stderr.isTTY ? barProgress(labels) : lineProgress();
}
