import cliProgress from 'cli-progress';
import { colorStatus, formatDuration, note } from '../../output.js';

/** One line per item followed (an action's build): a bar on a terminal, a line at each change otherwise. */
export type Progress = { update: (label: string, state: string, finished: boolean) => void; stop: () => void };

const STEP: Record<string, number> = { queued: 1, running: 2 };

function barProgress(labels: readonly string[]): Progress {
  const width = Math.max(...labels.map((label) => label.length));
  const bars = new cliProgress.MultiBar({
    stream: process.stderr, format: '{label} [{bar}] {state} {elapsed}', barsize: 20, hideCursor: true, clearOnComplete: false, autopadding: true,
  }, cliProgress.Presets.shades_classic);
  const started = Date.now();
  const byLabel = new Map(labels.map((label) => [label, bars.create(3, 0, { label: label.padEnd(width), state: 'queued', elapsed: '' })]));
  return {
    update: (label, state, finished) => {
      byLabel.get(label)?.update(finished ? 3 : STEP[state] ?? 0, { state: colorStatus(state), elapsed: formatDuration(Date.now() - started) });
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

export function makeProgress(labels: readonly string[]): Progress {
  return process.stderr.isTTY ? barProgress(labels) : lineProgress();
}
