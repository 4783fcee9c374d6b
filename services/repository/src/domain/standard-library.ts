import { ok, type Result } from '@trellis/kernel/result';
import type { BuildStatus, ScannedCommit } from './build.js';
import { checkUrl, type InvalidSourceUrl } from './source-location.js';
import type { Source } from './source.js';

/*
 * The standard library: the actions Trellis ships, in every project as one source Trellis
 * manages (named `standard`, pointing at the repository the operator's TRELLIS_STANDARD_LIBRARY_URL
 * names). It is scanned when its repository holds a commit not scanned yet (the first time, or
 * after Trellis was updated), and each action is built once per version: a restart builds
 * nothing again, a new Trellis builds only the actions whose version changed.
 */

export const SOURCE_NAME = 'standard';

/** Who Trellis's own requests are made by (the source's creator, its scans, its builds). */
export const ACTOR = 'trellis';

/**
 * The project's managed source. The URL is the operator's setting, so a file:// URL is taken
 * even where users may not give one.
 */
export function source(input: { id: string; projectId: string; url: string; now: Date }): Result<Source, InvalidSourceUrl> {
  const location = checkUrl(input.url, { allowFileUrls: true });
  if (!location.ok) return location;
  return ok({
    id: input.id, projectId: input.projectId, name: SOURCE_NAME, url: location.value.url, branch: null, username: null,
    hasCredentials: false, managed: true, createdBy: ACTOR, createdAt: input.now, updatedAt: input.now,
  });
}

/** The managed source pointed at the URL the operator gives now (it moves with the installation). */
export function moveTo(current: Source, url: string, now: Date): Result<{ source: Source; moved: boolean }, InvalidSourceUrl> {
  const location = checkUrl(url, { allowFileUrls: true });
  if (!location.ok) return location;
  if (location.value.url === current.url) return ok({ source: current, moved: false });
  return ok({ source: { ...current, url: location.value.url, updatedAt: now }, moved: true });
}

/**
 * Whether the library must be scanned: not while a scan of it waits or runs, nor when its last
 * done scan is of the repository's commit. `head` undefined (the repository could not be read):
 * only a library never scanned is scanned (the scan then says what is wrong).
 */
export function scanNeeded(input: { head: string | undefined; lastDoneCommit: string | undefined; pending: boolean }): boolean {
  if (input.pending) return false;
  if (input.lastDoneCommit === undefined) return true;
  return input.head !== undefined && input.head !== input.lastDoneCommit;
}

/** A build that counts as having the action: built, or on its way. A failed or canceled one is tried again. */
const IN_HAND: readonly BuildStatus[] = ['queued', 'running', 'built'];

export type BuildOfVersion = { readonly actionId: string; readonly version: string; readonly status: BuildStatus };

/** The actions of the scan that no build has (built or in progress) at their version, in the scan's order. */
export function actionsToBuild(scanned: ScannedCommit, builds: readonly BuildOfVersion[]): string[] {
  const had = new Set(builds.filter((build) => IN_HAND.includes(build.status)).map((build) => `${build.actionId}\n${build.version}`));
  return scanned.actions.filter((action) => !had.has(`${action.action.id}\n${action.action.version}`)).map((action) => action.action.id);
}
