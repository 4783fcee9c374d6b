import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAction } from '@trellis/action-manifest/load';
import { formatProblem } from '@trellis/action-manifest/problem';
import { fetchReplay, serverFromEnvironment, type Replay } from './replay-api.js';
import { sameOutcome, sideBySide, type Side } from './replay-compare.js';
import { parseSecretPairs, replayInputs } from './replay-inputs.js';
import { openSession, runOnce, type LocalOutcome } from './run.js';
import type { Output } from './validate.js';

export type ReplayOptions = {
  runId: string;
  step: string;
  attempt?: number;
  /** The action folder of the user's checkout. */
  folder: string;
  /** `NAME=VALUE` for the inputs that held secrets. */
  secrets: readonly string[];
  /** Where file and directory outputs are saved. */
  outDir: string;
  json: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Asks for a secret without echo; undefined when there is no terminal to ask on. */
  ask: ((name: string) => Promise<string>) | undefined;
  /** The terminal's width, for the two columns. */
  columns?: number;
};

const recordedSide = (replay: Replay): Side => ({
  status: replay.recorded.status, error: replay.recorded.error, outputs: replay.recorded.outputs,
  stdout: replay.recorded.stdout, stderr: replay.recorded.stderr, durationMs: replay.recorded.duration_ms,
});

const localSide = (outcome: LocalOutcome): Side => ({ ...outcome, outputs: outcome.status === 'succeeded' ? outcome.outputs : null });

/** Runs the folder once on the replay's inputs (downloaded under a temporary folder, removed after). */
async function runLocally(replay: Replay, options: ReplayOptions, secrets: ReadonlyMap<string, string>, output: Output): Promise<LocalOutcome | undefined> {
  const loaded = await loadAction(options.folder);
  if (!loaded.ok) {
    for (const problem of loaded.problems) output.err(formatProblem(problem));
    return undefined;
  }
  const { definition } = loaded;
  if (definition.kind === 'Trigger') {
    output.err(`${definition.id} is a trigger: only a step (a Processor or Publisher) is replayed`);
    return undefined;
  }
  if (definition.id !== replay.action.id || definition.version !== replay.action.version) {
    output.err(`warning: ${options.folder} is ${definition.id}@${definition.version}; the attempt ran ${replay.action.id}@${replay.action.version}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'trellis-replay-'));
  try {
    const inputs = await replayInputs(replay, definition, dir, { given: secrets, ask: options.ask });
    if (!inputs.ok) {
      for (const problem of inputs.problems) output.err(problem);
      return undefined;
    }
    for (const warning of inputs.warnings) output.err(`warning: ${warning}`);
    const opened = await openSession(definition, inputs.inputs, { folder: options.folder, outDir: options.outDir, diagnostics: (text) => output.err(text.replace(/\n$/, '')) });
    // The runner records a handler that does not load as an action it could not start.
    if (!opened.ok) return { status: 'failed', error: { code: 'step_failed', message: `unavailable: the action could not be started: ${opened.cannotStart}` }, outputs: {}, stdout: '', stderr: '', durationMs: 0 };
    try {
      return await runOnce(opened.session, definition);
    } finally {
      await opened.session.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `trellis-action replay <run id> <step id>`: the recorded inputs of an attempt (files downloaded,
 * secrets given by the user) run through the local folder by the real wrapper, both outcomes side
 * by side. 0 when the local outcome is the recorded one (same status and error code), else 1.
 */
export async function replayStep(options: ReplayOptions, output: Output): Promise<number> {
  const server = serverFromEnvironment(options.env);
  if (!server.ok) {
    output.err(server.message);
    return 1;
  }
  const secrets = parseSecretPairs(options.secrets);
  if (!secrets.ok) {
    output.err(secrets.problem);
    return 2;
  }
  const fetched = await fetchReplay(server.value, options.runId, options.step, options.attempt);
  if (!fetched.ok) {
    output.err(fetched.message);
    return 1;
  }
  const replay = fetched.value;
  const local = await runLocally(replay, options, secrets.secrets, output);
  if (!local) return 1;
  const recorded = recordedSide(replay);
  const same = sameOutcome(recorded, localSide(local));
  if (options.json) {
    output.out(JSON.stringify({ run_id: replay.run_id, step: replay.step, attempt: replay.attempt, action: replay.action, reproduced: same, recorded, local: localSide(local) }));
  } else {
    const titles = { recorded: `recorded: attempt ${replay.attempt} of ${replay.action.id}@${replay.action.version}`, local: `local: ${options.folder}` };
    for (const line of sideBySide(recorded, localSide(local), titles, options.columns)) output.out(line);
  }
  return same ? 0 : 1;
}
