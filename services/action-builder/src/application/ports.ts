import type { UnitOfWork as KernelUnitOfWork } from '@trellis/kernel/ports';
import type { Result } from '@trellis/kernel/result';
import type { ActionDescription, Logo } from '../domain/action.js';
import type { Build } from '../domain/build.js';
import type { BuilderEvent } from '../domain/events.js';

export type { Clock, Ids, ProjectObjects } from '@trellis/kernel/ports';

export type BuildRepository = {
  /** False when a build with this id exists already (a redelivered request). */
  insertIfAbsent: (build: Build) => Promise<boolean>;
  /** The build, locked until the transaction ends; undefined when it does not exist (any more: its project was deleted). */
  lock: (id: string) => Promise<Build | undefined>;
  /** The same, for one project only: another project's build is not found. */
  lockInProject: (projectId: string, id: string) => Promise<Build | undefined>;
  /**
   * Claims up to `limit` claimable builds (Build.isClaimable), oldest request first, skipping
   * any another transaction holds, and applies Build.claim to each: the next attempt, held by
   * `owner` until `now + leaseMs`.
   */
  claim: (input: { owner: string; now: Date; leaseMs: number; limit: number }) => Promise<Build[]>;
  save: (build: Build) => Promise<void>;
};

/** The builds of this process that are still its own, as its lease renewal sees them. */
export type HeldBuild = { readonly id: string; readonly attempt: number; readonly cancelRequested: boolean };

export type Leases = {
  /**
   * Extends the leases of these running builds of `owner` (the ones it still works on: a build
   * it gave up on expires and is claimed again); returns those it still holds. A build missing
   * from the answer is no longer its own (taken over, or deleted with its project).
   */
  renew: (owner: string, buildIds: readonly string[], now: Date, leaseMs: number) => Promise<HeldBuild[]>;
};

/** Events recorded here are published if and only if the unit of work commits. */
export type EventOutbox = { append: (events: readonly BuilderEvent[]) => Promise<void> };

/** Wakes every builder process when the transaction commits (new work, a cancellation, a deleted project). */
export type QueueSignal = { wake: () => Promise<void> };

export type ProjectStatus = 'known' | 'deleted' | 'unknown';
export type ProjectDirectory = { status: (projectId: string) => Promise<ProjectStatus> };

export type Transaction = { builds: BuildRepository; outbox: EventOutbox; queue: QueueSignal; projects: ProjectDirectory };

export type UnitOfWork = KernelUnitOfWork<Transaction>;

/** A build's log: every line of its commands, in order, kept while it runs and stored when it ends. */
export type BuildLog = {
  /** Appends one line (written in batches; never throws). */
  write: (line: string) => void;
  /** The end of what was written, at most `maxBytes`. */
  tail: (maxBytes: number) => string;
  /** Stores the whole log in the object store and returns its key. */
  store: () => Promise<string>;
  /** Writes what is still buffered and stops; the log stays where it is (a released build continues it). */
  close: () => Promise<void>;
};

export type BuildLogs = { open: (build: Build) => Promise<BuildLog> };

/** Why a build failed, in words a person can act on ("npm ci failed: package left-pad@9.9.9 not found"). */
export type BuildFailure = { readonly reason: string };

/** The action as its folder describes it, and the definition the wrapper reads (sealed as it is into the artifact). */
export type LoadedAction = { readonly description: ActionDescription; readonly logo: Logo | null; readonly definition: unknown };

export type SealedArtifact = { readonly file: string; readonly digest: string; readonly size: number };

export type Workspace = { readonly dir: string; dispose: () => Promise<void> };

/** What one attempt's steps share: its log and the signal that stops it (see StopReason). */
export type StepContext = { readonly log: BuildLog; readonly signal: AbortSignal };

/** The steps of a build, each on the attempt's own workspace. Failures a person can fix are values; the world's are thrown. */
export type Toolchain = {
  workspace: (build: Build) => Promise<Workspace>;
  /** Downloads the source tarball, checks its SHA-256 and unpacks it; the action folder. */
  fetchSource: (build: Build, workspace: Workspace, context: StepContext) => Promise<Result<string, BuildFailure>>;
  loadAction: (folder: string, context: StepContext) => Promise<Result<LoadedAction, BuildFailure>>;
  /** Installs the dependencies into the folder and writes the lock beside them. */
  installDependencies: (action: LoadedAction, folder: string, workspace: Workspace, context: StepContext) => Promise<Result<void, BuildFailure>>;
  /** Adds the wrapper and trellis-artifact.json, and packs everything into one deterministic tar.gz. */
  seal: (action: LoadedAction, folder: string, workspace: Workspace, context: StepContext) => Promise<SealedArtifact>;
};

export type ArtifactStore = {
  /** Stores the artifact at its content address in the project's objects; the key. */
  put: (projectId: string, artifact: SealedArtifact) => Promise<string>;
};

/**
 * Images for the docker and kubernetes sites (issue 17, docs/images.md): built from the sealed
 * artifact on the action base image, loaded into the local Docker engine or pushed to a
 * registry, and named as "<site>=<reference>" in ActionBuilt. `sites` are those the build asked
 * for; the builder adds the sites its configuration serves (every build gets an image) and says
 * in the log which asked-for site it cannot serve. Wired only when TRELLIS_IMAGES is not `none`.
 */
export type ImageBuilder = (input: { build: Build; artifact: SealedArtifact; sites: readonly string[] }, context: StepContext) => Promise<Result<readonly string[], BuildFailure>>;

/** Why an attempt's signal fired. */
export type StopReason =
  | { readonly type: 'canceled' }
  /** The build is no longer this process's: its lease was taken over, or its project deleted. */
  | { readonly type: 'lost' }
  /** The process is stopping: the build is queued again. */
  | { readonly type: 'shutdown' }
  | { readonly type: 'timed_out'; readonly afterMs: number };
