import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { Logo, PublicAction } from './action.js';
import type { BuildFailed, BuildStarted, BuildSucceeded } from './events.js';

/**
 * A build job: `queued -> running -> succeeded | failed | canceled`. A running build is held by
 * one builder process under a lease; a build whose holder stopped renewing it (the process died)
 * is claimed again, from the start, with the next attempt number. Every write of an attempt is
 * fenced by its holder and attempt, so a late holder's result is dropped.
 */
export const BUILD_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type BuildState = (typeof BUILD_STATES)[number];

/** What the repository asked for (ActionBuildRequested). */
export type BuildRequest = {
  readonly id: string;
  readonly projectId: string;
  readonly sourceId: string;
  readonly sourceName: string;
  readonly commit: string;
  readonly folder: string;
  readonly actionId: string;
  readonly version: string;
  readonly sourceObject: string;
  readonly sourceSha256: string;
  readonly requestedBy: string;
  /** Sites that also need an image ("docker", "kubernetes"); images arrive with their own issue. */
  readonly imageSites: readonly string[];
  readonly traceId: string;
  readonly requestedAt: Date;
};

export type Lease = { readonly owner: string; readonly expiresAt: Date };

export type Artifact = { readonly digest: string; readonly object: string; readonly size: number };

export type Build = BuildRequest & {
  readonly state: BuildState;
  /** Attempts begun so far: 0 while queued for the first time. */
  readonly attempt: number;
  readonly lease: Lease | null;
  /** Who asked to cancel the build while it ran; the holder stops it. */
  readonly cancelRequestedBy: string | null;
  /** When the current (or last) attempt began. */
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly failureReason: string | null;
  readonly artifact: Artifact | null;
  readonly logObject: string | null;
};

/** Which attempt of which holder may write: the fencing token of a running build. */
export type Fence = { readonly owner: string; readonly attempt: number };

export type BuildNotFound = { readonly type: 'BuildNotFound'; readonly buildId: string };
export type BuildFinished = { readonly type: 'BuildFinished'; readonly buildId: string; readonly state: BuildState };
export type StaleHolder = { readonly type: 'StaleHolder'; readonly buildId: string };

export function isFinished(state: BuildState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'canceled';
}

export function request(input: BuildRequest): Build {
  return {
    ...input, state: 'queued', attempt: 0, lease: null, cancelRequestedBy: null,
    startedAt: null, finishedAt: null, failureReason: null, artifact: null, logObject: null,
  };
}

/** Queued, or running under a lease nobody renewed in time (its holder is gone). */
export function isClaimable(build: Build, now: Date): boolean {
  if (build.state === 'queued') return true;
  return build.state === 'running' && build.lease !== null && build.lease.expiresAt.getTime() <= now.getTime();
}

/** The claim itself, as the queue applies it to every claimable build it takes: the next attempt, held by `owner`. */
export function claim(build: Build, input: { owner: string; now: Date; leaseMs: number }): Build {
  return {
    ...build, state: 'running', attempt: build.attempt + 1, startedAt: input.now,
    lease: { owner: input.owner, expiresAt: new Date(input.now.getTime() + input.leaseMs) },
  };
}

export type Begun =
  | { readonly run: true; readonly build: Build; readonly events: readonly [BuildStarted] }
  | { readonly run: false; readonly build: Build; readonly events: readonly [BuildFailed] };

/**
 * What a claimed build does next: run this attempt (announcing it), or end at once, because
 * its cancellation was asked while its holder was gone, or because it already stopped its
 * builder `maxAttempts` times (a build that kills its builder must not do so forever).
 */
export function begin(build: Build, input: { now: Date; maxAttempts: number; logObject: string | null }): Begun {
  // An attempt that does not run is not counted.
  const unrun: Build = { ...build, attempt: build.attempt - 1 };
  if (build.cancelRequestedBy !== null) {
    const ended = end(unrun, 'canceled', `canceled by ${build.cancelRequestedBy}`, input.now, input.logObject);
    return { run: false, build: ended, events: [failedEvent(ended, '', true, input.now)] };
  }
  if (build.attempt > input.maxAttempts) {
    const reason = `the builder stopped during this build ${input.maxAttempts} times (killed, out of memory or restarted); it is not tried again`;
    const ended = end(unrun, 'failed', reason, input.now, input.logObject);
    return { run: false, build: ended, events: [failedEvent(ended, '', false, input.now)] };
  }
  return { run: true, build, events: [{ type: 'BuildStarted', buildId: build.id, projectId: build.projectId, attempt: build.attempt, traceId: build.traceId, occurredAt: input.now }] };
}

function holds(build: Build, fence: Fence): boolean {
  return build.state === 'running' && build.attempt === fence.attempt && build.lease?.owner === fence.owner;
}

function end(build: Build, state: 'succeeded' | 'failed' | 'canceled', reason: string | null, now: Date, logObject: string | null): Build {
  return { ...build, state, lease: null, finishedAt: now, failureReason: reason, logObject };
}

function failedEvent(build: Build, logTail: string, canceled: boolean, now: Date): BuildFailed {
  return {
    type: 'BuildFailed', buildId: build.id, projectId: build.projectId, reason: build.failureReason ?? '', logTail,
    logObject: build.logObject, canceled, traceId: build.traceId, occurredAt: now,
  };
}

export type Succeeded = {
  readonly action: PublicAction;
  readonly artifact: Artifact;
  readonly logo: Logo | null;
  readonly images: readonly string[];
  readonly logObject: string | null;
};

export function succeed(build: Build, fence: Fence, outcome: Succeeded, now: Date): Result<{ build: Build; events: readonly [BuildSucceeded] }, StaleHolder> {
  if (!holds(build, fence)) return rejected({ type: 'StaleHolder', buildId: build.id });
  const done: Build = { ...end(build, 'succeeded', null, now, outcome.logObject), artifact: outcome.artifact };
  return ok({
    build: done,
    events: [{
      type: 'BuildSucceeded', buildId: build.id, projectId: build.projectId, sourceId: build.sourceId, commit: build.commit, folder: build.folder,
      action: outcome.action, digest: outcome.artifact.digest, artifactObject: outcome.artifact.object, artifactSize: outcome.artifact.size,
      logo: outcome.logo, images: outcome.images, traceId: build.traceId, occurredAt: now,
    }],
  });
}

export type Ended = { readonly reason: string; readonly logTail: string; readonly logObject: string | null };

/** The attempt ended without an artifact: failed, or canceled when a cancellation was asked. */
export function fail(build: Build, fence: Fence, outcome: Ended, now: Date): Result<{ build: Build; events: readonly [BuildFailed] }, StaleHolder> {
  if (!holds(build, fence)) return rejected({ type: 'StaleHolder', buildId: build.id });
  const canceled = build.cancelRequestedBy !== null;
  const reason = canceled ? `canceled by ${build.cancelRequestedBy}` : outcome.reason;
  const done = end(build, canceled ? 'canceled' : 'failed', reason, now, outcome.logObject);
  return ok({ build: done, events: [failedEvent(done, outcome.logTail, canceled, now)] });
}

/** The holder stops (a graceful shutdown): the build is queued again; its next claim is the next attempt. */
export function release(build: Build, fence: Fence): Result<Build, StaleHolder> {
  if (!holds(build, fence)) return rejected({ type: 'StaleHolder', buildId: build.id });
  return ok({ ...build, state: 'queued', lease: null });
}

export type CancelOutcome =
  | { readonly outcome: 'canceled'; readonly build: Build; readonly events: readonly [BuildFailed] }
  | { readonly outcome: 'stopping'; readonly build: Build; readonly events: readonly [] };

/**
 * A queued build ends canceled at once; a running one is marked, and its holder stops its
 * processes and ends it canceled. Asking again changes nothing; a finished build cannot be canceled.
 */
export function requestCancel(build: Build, by: string, now: Date): Result<CancelOutcome, BuildFinished> {
  if (isFinished(build.state)) return rejected({ type: 'BuildFinished', buildId: build.id, state: build.state });
  if (build.state === 'running') {
    return ok({ outcome: 'stopping', build: build.cancelRequestedBy === null ? { ...build, cancelRequestedBy: by } : build, events: [] });
  }
  const canceled = end({ ...build, cancelRequestedBy: by }, 'canceled', `canceled by ${by}`, now, build.logObject);
  return ok({ outcome: 'canceled', build: canceled, events: [failedEvent(canceled, '', true, now)] });
}

/** The end of a log: its last whole lines that fit in `maxBytes` of UTF-8 (the end of the last line if even it does not fit). */
export function tailOf(log: string, maxBytes: number): string {
  if (utf8Length(log) <= maxBytes) return log;
  const lines = log.split(/(?<=\n)/);
  let tail = '';
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index] ?? '';
    if (utf8Length(line) + utf8Length(tail) > maxBytes) break;
    tail = line + tail;
  }
  if (tail !== '') return tail;
  const last = [...(lines.at(-1) ?? '')];
  while (utf8Length(last.join('')) > maxBytes) last.shift();
  return last.join('');
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
