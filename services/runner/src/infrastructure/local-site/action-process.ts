import type { ActionVersionRef } from '../../application/site.js';
import { type ActionClient, makeActionClient } from './action-client.js';
import { startWrapperProcess, type WrapperProcess } from './wrapper-process.js';

/** A started wrapper that answered Init for the expected action, with its warm channel. */
export type LiveAction = {
  readonly process: WrapperProcess;
  readonly client: ActionClient;
  /** Calls in flight on this process: aborted when it dies. */
  readonly calls: Set<AbortController>;
  /** Set when the process died without being asked to (calls in flight then fail with runtime_crashed). */
  crashed: boolean;
  /** Set when the site stops it (idle, release, stop): its exit is not a crash. */
  stopping: boolean;
};

export type ProcessSettings = {
  readonly logLimitBytes: number;
  readonly startTimeoutMs: number;
};

/**
 * Starts the wrapper of an unpacked artifact and checks its Init: the contract it speaks, and the
 * action it hosts must be the pinned one (id and version). A process that does not pass is stopped.
 */
export async function startLiveAction(action: ActionVersionRef, folder: string, settings: ProcessSettings): Promise<LiveAction> {
  const process = await startWrapperProcess({ folder, ...settings });
  const client = makeActionClient(process.port);
  const refuse = async (why: string): Promise<never> => {
    client.close();
    await process.stop(0);
    throw new Error(`${why}${process.log() ? `; its output:\n${process.log().slice(-2000)}` : ''}`);
  };
  const init = await client.init(settings.startTimeoutMs);
  if (!init.ok) return refuse(`the wrapper of ${action.actionId} ${action.version} did not answer Init: ${init.error.message}`);
  const hosted = init.value.action;
  if (init.value.contractVersion !== 'v1') return refuse(`the wrapper speaks contract ${init.value.contractVersion}, not v1`);
  if (hosted?.id !== action.actionId || hosted.version !== action.version) {
    return refuse(`the artifact hosts ${hosted?.id ?? '?'} ${hosted?.version ?? '?'}, not ${action.actionId} ${action.version}`);
  }
  return { process, client, calls: new Set(), crashed: false, stopping: false };
}

/** Stops a live action on purpose: its channel closed, SIGTERM to its group, SIGKILL after the grace. */
export async function stopLiveAction(live: LiveAction, graceMs: number): Promise<void> {
  live.stopping = true;
  live.client.close();
  await live.process.stop(graceMs);
}
