import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { ScannedAction } from './scan-result.js';

/**
 * A build the repository asked the action builder for, and its status as the builder's events
 * tell it: `queued -> running -> built | failed | canceled`. Events may arrive late, twice or
 * out of order (a retried delivery, a restarted builder): a finished build never changes again,
 * and a start reported for an older attempt than the one known is ignored.
 */
export const BUILD_STATUSES = ['queued', 'running', 'built', 'failed', 'canceled'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

export type Build = {
  readonly id: string;
  readonly projectId: string;
  readonly sourceId: string;
  readonly scanId: string;
  readonly actionId: string;
  readonly version: string;
  readonly folder: string;
  readonly commit: string;
  readonly sourceObject: string;
  readonly sourceSha256: string;
  readonly status: BuildStatus;
  readonly attempt: number;
  readonly digest: string | null;
  readonly artifactObject: string | null;
  /** Why it failed (or "canceled"), in the builder's words. */
  readonly reason: string | null;
  readonly logTail: string | null;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly updatedAt: Date;
};

export type ActionBuildRequested = {
  readonly type: 'ActionBuildRequested';
  readonly projectId: string;
  readonly buildId: string;
  readonly sourceId: string;
  readonly sourceName: string;
  readonly commit: string;
  readonly folder: string;
  readonly actionId: string;
  readonly version: string;
  readonly sourceObject: string;
  readonly sourceSha256: string;
  readonly requestedBy: string;
  readonly occurredAt: Date;
};

export type NothingScanned = { readonly type: 'NothingScanned' };
export type NothingToBuild = { readonly type: 'NothingToBuild' };
export type UnknownActions = { readonly type: 'UnknownActions'; readonly ids: readonly string[] };
export type BuildRequestRejection = NothingScanned | NothingToBuild | UnknownActions;

/** The last finished scan of a source: what a build request builds from. */
export type ScannedCommit = { readonly scanId: string; readonly commit: string; readonly actions: readonly ScannedAction[] };

/**
 * One build per action of the scan, or of those named (every name must be an action of the
 * scan: the unknown ones are named back). Each build is announced with ActionBuildRequested.
 */
export function request(
  input: {
    projectId: string; sourceId: string; sourceName: string; scanned: ScannedCommit | undefined;
    actionIds?: readonly string[] | undefined; requestedBy: string; now: Date; ids: () => string;
  },
): Result<{ builds: Build[]; events: ActionBuildRequested[] }, BuildRequestRejection> {
  const { scanned } = input;
  if (!scanned) return rejected({ type: 'NothingScanned' });
  const byId = new Map(scanned.actions.map((action) => [action.action.id, action]));
  const wanted = input.actionIds === undefined ? [...byId.keys()] : [...new Set(input.actionIds)];
  const unknown = wanted.filter((id) => !byId.has(id));
  if (unknown.length > 0) return rejected({ type: 'UnknownActions', ids: unknown });
  if (wanted.length === 0) return rejected({ type: 'NothingToBuild' });
  const builds = wanted.map((id): Build => {
    const action = byId.get(id) as ScannedAction;
    return {
      id: input.ids(), projectId: input.projectId, sourceId: input.sourceId, scanId: scanned.scanId, actionId: id,
      version: action.action.version, folder: action.folder, commit: scanned.commit, sourceObject: action.object,
      sourceSha256: action.sha256, status: 'queued', attempt: 0, digest: null, artifactObject: null, reason: null,
      logTail: null, requestedBy: input.requestedBy, requestedAt: input.now, updatedAt: input.now,
    };
  });
  const events = builds.map((build): ActionBuildRequested => ({
    type: 'ActionBuildRequested', projectId: build.projectId, buildId: build.id, sourceId: build.sourceId,
    sourceName: input.sourceName, commit: build.commit, folder: build.folder, actionId: build.actionId,
    version: build.version, sourceObject: build.sourceObject, sourceSha256: build.sourceSha256,
    requestedBy: build.requestedBy, occurredAt: input.now,
  }));
  return ok({ builds, events });
}

export function isFinished(status: BuildStatus): boolean {
  return status === 'built' || status === 'failed' || status === 'canceled';
}

/** What the builder reports, as the repository follows it. */
export type Progress =
  | { readonly type: 'started'; readonly attempt: number; readonly at: Date }
  | { readonly type: 'built'; readonly digest: string; readonly artifactObject: string; readonly at: Date }
  | { readonly type: 'failed'; readonly reason: string; readonly logTail: string; readonly canceled: boolean; readonly at: Date };

/** The build after a report; `changed` is false when the report is stale (the build is unchanged). */
export function advance(build: Build, progress: Progress): { readonly build: Build; readonly changed: boolean } {
  const unchanged = { build, changed: false };
  if (isFinished(build.status)) return unchanged;
  switch (progress.type) {
    case 'started':
      if (progress.attempt < build.attempt) return unchanged;
      return { build: { ...build, status: 'running', attempt: progress.attempt, updatedAt: progress.at }, changed: true };
    case 'built':
      return { build: { ...build, status: 'built', digest: progress.digest, artifactObject: progress.artifactObject, updatedAt: progress.at }, changed: true };
    case 'failed':
      return {
        build: { ...build, status: progress.canceled ? 'canceled' : 'failed', reason: progress.reason, logTail: progress.logTail, updatedAt: progress.at },
        changed: true,
      };
  }
}
