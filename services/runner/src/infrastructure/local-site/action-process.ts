import type { ActionVersionRef } from '../../application/site.js';
import { type ActionClient, makeActionClient } from './action-client.js';
import type { ProcessExit } from './wrapper-process.js';

/**
 * A wrapper serving somewhere (a process here, a container): where to reach it, its exit, what it
 * wrote outside executions, and how to stop it (a grace, then killed; resolves once it is gone).
 */
export type WrapperHost = {
  /** The process id when it is a process of this machine's runner (logs, operators' tools). */
  readonly pid: number | undefined;
  /** host:port of its gRPC. */
  readonly address: string;
  /** Resolves when it has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  log: () => string;
  stop: (graceMs: number) => Promise<ProcessExit>;
};

/** A started wrapper that answered Init for the expected action, with its warm channel. */
export type LiveAction = {
  readonly process: WrapperHost;
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
 * Checks the Init of a wrapper just started: the contract it speaks, and the action it hosts must
 * be the pinned one (id and version). A wrapper that does not pass is stopped.
 */
export async function startLiveAction(action: ActionVersionRef, process: WrapperHost, settings: Pick<ProcessSettings, 'startTimeoutMs'>): Promise<LiveAction> {
  const client = makeActionClient(process.address);
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
