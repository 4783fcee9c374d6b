import type { Clock, Ids } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Build from '../domain/build.js';
import * as Scan from '../domain/scan.js';
import type { InvalidSourceUrl } from '../domain/source-location.js';
import type { Source } from '../domain/source.js';
import * as StandardLibrary from '../domain/standard-library.js';
import type { ProjectNotKnown } from './not-found.js';
import type { Transaction, UnitOfWork } from './ports.js';

type Deps = { uow: UnitOfWork; clock: Clock; ids: Ids };

/** A user's source already has the name `standard` (made before Trellis had a standard library). */
export type StandardNameTaken = { readonly type: 'StandardNameTaken' };

export type LibraryInstalled = {
  readonly sourceId: string;
  readonly source: 'created' | 'moved' | 'unchanged';
  readonly scanQueued: boolean;
  readonly builds: readonly Build.Build[];
};

/**
 * Makes sure the project has its standard library, in one transaction under the project's lock
 * (replicas starting together, and a project's announcement, install it once): the managed
 * source (made, or moved to the operator's URL), a scan when the library's repository holds a
 * commit not scanned yet (`head`, read by the caller), else a build of each action that has
 * none at its version.
 */
export async function installStandardLibrary(
  deps: Deps,
  input: { projectId: string; url: string; head: string | undefined; traceId: string },
): Promise<Result<LibraryInstalled, ProjectNotKnown | StandardNameTaken | InvalidSourceUrl>> {
  return deps.uow(async (tx) => {
    if (!(await tx.projects.lockIfKnown(input.projectId))) return rejected({ type: 'ProjectNotKnown' } as const);
    const now = deps.clock();
    const placed = await placeSource(tx, deps, input, now);
    if (!placed.ok) return placed;
    const { source, change } = placed.value;
    const lastDone = await tx.scans.lastDone(source.id);
    const pending = await tx.scans.hasPending(source.id);
    const done = (scanQueued: boolean, builds: readonly Build.Build[] = []) => ok({ sourceId: source.id, source: change, scanQueued, builds });
    if (StandardLibrary.scanNeeded({ head: input.head, lastDoneCommit: lastDone?.commit, pending })) {
      const { scan } = Scan.request({ id: deps.ids(), projectId: source.projectId, sourceId: source.id, requestedBy: StandardLibrary.ACTOR, now }, undefined);
      await tx.scans.insert(scan);
      return done(true);
    }
    // A scan under way requests the builds when it is done.
    if (pending || !lastDone) return done(false);
    return done(false, await requestMissingBuilds(tx, deps, source, lastDone, now, input.traceId));
  });
}

/** Installs the library in every known project, one transaction each (at start: a new Trellis, a new URL, projects made while it was off). */
export async function installStandardLibraryEverywhere(
  deps: Deps,
  input: { url: string; head: string | undefined; traceId: string },
): Promise<Array<{ projectId: string; result: Awaited<ReturnType<typeof installStandardLibrary>> }>> {
  const projectIds = await deps.uow((tx) => tx.projects.ids());
  const results = [];
  for (const projectId of projectIds) results.push({ projectId, result: await installStandardLibrary(deps, { ...input, projectId }) });
  return results;
}

/**
 * After a scan is done: when it was the standard library's, asks for a build of every action
 * that has none (built or in progress) at its version. Any other source's scan: nothing.
 */
export async function buildStandardLibrary(
  deps: Deps,
  input: { projectId: string; sourceId: string; traceId: string },
): Promise<{ builds: readonly Build.Build[] }> {
  return deps.uow(async (tx) => {
    if (!(await tx.projects.lockIfKnown(input.projectId))) return { builds: [] };
    const source = await tx.sources.findManaged(input.projectId);
    if (source?.id !== input.sourceId) return { builds: [] };
    const lastDone = await tx.scans.lastDone(source.id);
    if (!lastDone) return { builds: [] };
    return { builds: await requestMissingBuilds(tx, deps, source, lastDone, deps.clock(), input.traceId) };
  });
}

async function placeSource(
  tx: Transaction, deps: Deps, input: { projectId: string; url: string }, now: Date,
): Promise<Result<{ source: Source; change: LibraryInstalled['source'] }, StandardNameTaken | InvalidSourceUrl>> {
  const existing = await tx.sources.findManaged(input.projectId);
  if (existing) {
    const moved = StandardLibrary.moveTo(existing, input.url, now);
    if (!moved.ok) return moved;
    // The name stays `standard`, so the update cannot clash.
    if (moved.value.moved) await tx.sources.update(moved.value.source, undefined);
    return ok({ source: moved.value.source, change: moved.value.moved ? 'moved' : 'unchanged' });
  }
  const made = StandardLibrary.source({ id: deps.ids(), projectId: input.projectId, url: input.url, now });
  if (!made.ok) return made;
  if (!(await tx.sources.insertIfNameFree(made.value, null))) return rejected({ type: 'StandardNameTaken' });
  return ok({ source: made.value, change: 'created' });
}

async function requestMissingBuilds(
  tx: Transaction, deps: Deps, source: Source, scanned: Build.ScannedCommit, now: Date, traceId: string,
): Promise<Build.Build[]> {
  const wanted = StandardLibrary.actionsToBuild(scanned, await tx.builds.ofSource(source.id));
  if (wanted.length === 0) return [];
  const requested = Build.request({
    projectId: source.projectId, sourceId: source.id, sourceName: source.name, scanned, actionIds: wanted,
    requestedBy: StandardLibrary.ACTOR, now, ids: deps.ids,
  });
  // Every id comes from the scan and there is at least one: a rejection would be a bug.
  if (!requested.ok) throw new Error(`standard library builds refused: ${requested.error.type}`);
  await tx.builds.insert(requested.value.builds);
  await tx.outbox.append(requested.value.events, traceId);
  return requested.value.builds;
}
