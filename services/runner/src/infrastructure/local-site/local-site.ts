import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { UnpackLimits } from '@trellis/platform/archive';
import type { ObjectStore } from '@trellis/platform/object-store';
import type { ActionSite, ActionVersionRef, CallOutcome, PrepareFailure } from '../../application/site.js';
import { type ActionInstance, makeActionInstance, type ScaleOutcome } from './action-instance.js';
import { startLiveAction } from './action-process.js';
import { startWrapperProcess } from './wrapper-process.js';
import { makeArtifactCache } from './artifact-cache.js';
import { callAction } from './call-action.js';
import { type RunningCalls, tailOf } from './call-tail.js';
import type { AttemptTail } from '../http/step-log-stream.js';
import { listenOn } from './trigger-listener.js';
import type { TriggerSite } from '../../application/trigger-site.js';

export type LocalSiteSettings = {
  /** Where artifacts are cached by digest and unpacked. */
  readonly workDir: string;
  /** Calls in flight per action version; the rest wait in order. */
  readonly concurrency: number;
  /** Events of one trigger being turned into runs at once; its stream waits beyond (default 16). */
  readonly triggerEventsInFlight?: number;
  /** A version without calls for this long is stopped (scaled to zero). */
  readonly idleMs: number;
  readonly healthIntervalMs?: number;
  readonly startTimeoutMs?: number;
  /** How long a stopped process gets between SIGTERM and SIGKILL. */
  readonly stopGraceMs?: number;
  readonly processLogBytes?: number;
  readonly unpackLimits?: UnpackLimits;
  /** Given to every action process (actionEnvironment). */
  readonly actionEnv?: Readonly<Record<string, string>>;
};

/** What the runner's logger offers (one JSON line per event). */
export type SiteLogger = { info: (message: string, fields: Record<string, unknown>) => unknown; warn: (message: string, fields: Record<string, unknown>) => unknown };

export type LocalSite = ActionSite & TriggerSite & {
  /** What the version's process wrote outside executions (bounded): its start-up, its crashes. */
  processLog: (action: ActionVersionRef) => string;
  /** The pid of the version's wrapper process while one runs (undefined when none does): for operators' tools and tests. */
  pidOf: (action: VersionKey) => number | undefined;
  /** Stops the version's process now unless a call is in flight, as its idle time would (an operator's scale to zero; the next call cold-starts it). */
  scaleToZero: (action: ActionVersionRef) => Promise<ScaleOutcome>;
  /** The call in flight here for a step (its idempotency key, `<run>:<step>`), to follow its output; undefined when none is. */
  tailCall: (idempotencyKey: string) => AttemptTail | undefined;
};

/** What identifies an action version on the site. */
type VersionKey = Pick<ActionVersionRef, 'projectId' | 'actionId' | 'version' | 'digest'>;

const UNPACK_LIMITS: UnpackLimits = { maxBytes: 1024 * 1024 * 1024, maxEntries: 100_000 };

/** The version as the site keys it: the same artifact pinned by several deployments shares one process. */
const keyOf = (action: VersionKey) => `${action.projectId}/${action.actionId}@${action.version}/${action.digest}`;

/** Actions as wrapper processes on this machine (docs/runner.md, "local site"). */
export function makeLocalSite(store: ObjectStore, settings: LocalSiteSettings, logger: SiteLogger): LocalSite {
  const artifacts = makeArtifactCache(store, settings.workDir, settings.unpackLimits ?? UNPACK_LIMITS);
  const now = () => performance.now();
  let stopped = false;
  const instanceSettings = {
    concurrency: settings.concurrency,
    idleMs: settings.idleMs,
    healthIntervalMs: settings.healthIntervalMs ?? 5000,
    startTimeoutMs: settings.startTimeoutMs ?? 20_000,
    stopGraceMs: settings.stopGraceMs ?? 5000,
    logLimitBytes: settings.processLogBytes ?? 64 * 1024,
    ...(settings.actionEnv ? { actionEnv: settings.actionEnv } : {}),
    now,
    onEvent: (event: string, fields: Record<string, unknown>) => (event.includes('crash') || event.includes('health') ? logger.warn(event, fields) : logger.info(event, fields)),
  };

  const pending = new Map<string, Promise<Result<ActionInstance, PrepareFailure>>>();
  const settled = new Map<string, ActionInstance>();
  const running: RunningCalls = new Map();

  /** The instance of a version, its artifact fetched and unpacked first (once; a refusal is tried again next time). */
  const instanceOf = async (action: ActionVersionRef): Promise<Result<ActionInstance, PrepareFailure>> => {
    const key = keyOf(action);
    const known = settled.get(key);
    if (known !== undefined) return ok(known);
    let making = pending.get(key);
    if (making === undefined) {
      making = artifacts.folderOf(action).then((folder) => {
        if (!folder.ok) return folder;
        const launch = async () => startLiveAction(action, await startWrapperProcess({ folder: folder.value, ...instanceSettings }), instanceSettings);
        const instance = makeActionInstance(action, launch, instanceSettings);
        settled.set(key, instance);
        return ok(instance);
      }).finally(() => pending.delete(key));
      pending.set(key, making);
    }
    return making;
  };

  return {
    async prepare(action) {
      if (stopped) return rejected({ reason: 'the runner is stopping' });
      const instance = await instanceOf(action);
      if (!instance.ok) return instance;
      try {
        await instance.value.live('prepare');
        return ok(undefined);
      } catch (error) {
        return rejected({ reason: `${action.actionId} ${action.version} could not be started: ${(error as Error).message}` });
      }
    },
    async call(action, call): Promise<CallOutcome> {
      const unavailable = (message: string): CallOutcome => ({ ok: false, failure: { kind: 'unavailable', code: 'unavailable', message }, logs: { stdout: '', stderr: '', truncated: false }, durationMs: 0 });
      if (stopped) return unavailable('the runner is stopping');
      const instance = await instanceOf(action);
      if (!instance.ok) return unavailable(instance.error.reason);
      return callAction(instance.value, action, call, now, running);
    },
    async listen(action, request, handlers, signal) {
      if (stopped) return { kind: 'ended', message: 'the runner is stopping' };
      const instance = await instanceOf(action);
      if (!instance.ok) return { kind: 'ended', message: instance.error.reason };
      return listenOn(instance.value, action, request, handlers, signal, settings.triggerEventsInFlight ?? 16);
    },
    release(action) {
      settled.get(keyOf(action))?.release();
      return Promise.resolve();
    },
    stats: () => [...settled.values()].map((instance) => instance.stats()),
    async stop() {
      stopped = true;
      await Promise.all([...pending.values()].map((making) => making.catch(() => undefined)));
      await Promise.all([...settled.values()].map((instance) => instance.stop()));
    },
    processLog: (action) => settled.get(keyOf(action))?.processLog() ?? '',
    pidOf: (action) => settled.get(keyOf(action))?.pid(),
    scaleToZero: async (action) => (await settled.get(keyOf(action))?.scaleToZero()) ?? 'not_running',
    tailCall: (idempotencyKey) => {
      const call = running.get(idempotencyKey);
      return call === undefined ? undefined : tailOf(call);
    },
  };
}
