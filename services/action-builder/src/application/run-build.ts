import { ok, type Result } from '@trellis/kernel/result';
import * as Action from '../domain/action.js';
import * as Build from '../domain/build.js';
import type {
  ArtifactStore, BuildFailure, BuildLog, BuildLogs, Clock, ImageBuilder, ProjectObjects, StepContext, StopReason, Toolchain, UnitOfWork, Workspace,
} from './ports.js';

export type RunBuildDeps = {
  uow: UnitOfWork;
  clock: Clock;
  logs: BuildLogs;
  toolchain: Toolchain;
  artifacts: ArtifactStore;
  /** The project's objects: what an attempt stored is removed when its project was deleted meanwhile. */
  objects: ProjectObjects;
  /** Absent when the builder makes no images (TRELLIS_IMAGES=none). */
  images?: ImageBuilder;
  /** A failure nobody expected (a bug, the store down): the build fails, and the process logs this. */
  onUnexpected: (error: unknown, build: Build.Build) => void;
};

export type RunOutcome = 'succeeded' | 'failed' | 'canceled' | 'released' | 'stale' | 'gone';

/** How much of the log's end ActionBuildFailed carries. */
export const LOG_TAIL_BYTES = 4096;

type Made = Build.Succeeded;

/**
 * Runs one claimed attempt from the start: fetch and check the source, load the manifest (the
 * id and version must be the requested ones), install the dependencies, seal and store the
 * artifact; then ends the build in one fenced transaction with ActionBuilt or ActionBuildFailed.
 * `signal` stops it (see StopReason): canceled and timed-out builds end, a shutdown queues the
 * build again, and a build this process lost is left to whoever holds it now.
 */
export async function runBuild(deps: RunBuildDeps, input: { build: Build.Build; signal: AbortSignal }): Promise<RunOutcome> {
  const { build, signal } = input;
  const fence: Build.Fence = { owner: build.lease?.owner ?? '', attempt: build.attempt };
  const log = await deps.logs.open(build);
  try {
    return await attempt(deps, build, fence, log, signal);
  } finally {
    await log.close();
  }
}

async function attempt(deps: RunBuildDeps, build: Build.Build, fence: Build.Fence, log: BuildLog, signal: AbortSignal): Promise<RunOutcome> {
  log.write(`[builder] attempt ${build.attempt}: ${build.actionId} ${build.version} from ${build.sourceName} at ${build.commit.slice(0, 12)}, folder ${build.folder || '.'}`);
  let made: Result<Made, BuildFailure>;
  const workspace = await deps.toolchain.workspace(build);
  try {
    made = await make(deps, build, { log, signal }, workspace);
  } catch (error) {
    if (!signal.aborted) deps.onUnexpected(error, build);
    made = { ok: false, error: { reason: 'the builder failed unexpectedly; its operator finds the error in its log, and building again may work' } };
  } finally {
    await workspace.dispose();
  }
  const stop = signal.aborted ? (signal.reason as StopReason) : undefined;
  if (stop?.type === 'lost') return (await exists(deps, build.id)) ? 'stale' : removeLeftovers(deps, build);
  if (stop?.type === 'shutdown') return release(deps, build.id, fence);
  if (stop?.type === 'timed_out') made = { ok: false, error: { reason: `the build took longer than ${Math.round(stop.afterMs / 1000)} s and was stopped` } };
  if (stop?.type === 'canceled') made = { ok: false, error: { reason: 'canceled' } };
  if (!made.ok) log.write(`[builder] failed: ${made.error.reason}`);
  else log.write(`[builder] built ${made.value.artifact.digest} (${made.value.artifact.size} bytes)`);
  const logObject = await log.store();
  const outcome = await finish(deps, build.id, fence, made, logObject, log);
  return outcome === 'gone' ? removeLeftovers(deps, build) : outcome;
}

const exists = (deps: RunBuildDeps, buildId: string) => deps.uow(async (tx) => (await tx.builds.lock(buildId)) !== undefined);

/** The build went with its project: what this attempt stored after the project's objects were deleted goes too. */
async function removeLeftovers(deps: RunBuildDeps, build: Build.Build): Promise<RunOutcome> {
  await deps.objects.deleteAll(build.projectId);
  return 'gone';
}

async function make(deps: RunBuildDeps, build: Build.Build, context: StepContext, workspace: Workspace): Promise<Result<Made, BuildFailure>> {
  const folder = await deps.toolchain.fetchSource(build, workspace, context);
  if (!folder.ok) return folder;
  const action = await deps.toolchain.loadAction(folder.value, context);
  if (!action.ok) return action;
  const mismatch = Action.checkMatches(action.value.description, build);
  if (mismatch) return { ok: false, error: { reason: mismatch.reason } };
  const installed = await deps.toolchain.installDependencies(action.value, folder.value, workspace, context);
  if (!installed.ok) return installed;
  const sealed = await deps.toolchain.seal(action.value, folder.value, workspace, context);
  const images = await imagesOf(deps, build, sealed, context);
  if (!images.ok) return images;
  const object = await deps.artifacts.put(build.projectId, sealed);
  return ok({
    action: Action.publicDescription(action.value.description),
    artifact: { digest: sealed.digest, object, size: sealed.size },
    logo: action.value.logo,
    images: images.value,
    logObject: null,
  });
}

async function imagesOf(deps: RunBuildDeps, build: Build.Build, artifact: Parameters<ImageBuilder>[0]['artifact'], context: StepContext): Promise<Result<readonly string[], BuildFailure>> {
  if (!deps.images) {
    if (build.imageSites.length > 0) context.log.write(`[builder] no images for ${build.imageSites.join(', ')}: this builder makes none (TRELLIS_IMAGES=none), the artifact runs on the local site`);
    return ok([]);
  }
  return deps.images({ build, artifact, sites: build.imageSites }, context);
}

async function finish(deps: RunBuildDeps, buildId: string, fence: Build.Fence, made: Result<Made, BuildFailure>, logObject: string, log: BuildLog): Promise<RunOutcome> {
  return deps.uow(async (tx) => {
    const current = await tx.builds.lock(buildId);
    if (!current) return 'gone' as const;
    const now = deps.clock();
    const ended = made.ok
      ? Build.succeed(current, fence, { ...made.value, logObject }, now)
      : Build.fail(current, fence, { reason: made.error.reason, logTail: log.tail(LOG_TAIL_BYTES), logObject }, now);
    if (!ended.ok) return 'stale' as const;
    await tx.builds.save(ended.value.build);
    await tx.outbox.append(ended.value.events);
    return ended.value.build.state as RunOutcome;
  });
}

async function release(deps: RunBuildDeps, buildId: string, fence: Build.Fence): Promise<RunOutcome> {
  return deps.uow(async (tx) => {
    const current = await tx.builds.lock(buildId);
    if (!current) return 'gone' as const;
    const released = Build.release(current, fence);
    if (!released.ok) return 'stale' as const;
    await tx.builds.save(released.value);
    return 'released' as const;
  });
}
