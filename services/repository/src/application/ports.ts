import type { Clock, Ids, UnitOfWork as KernelUnitOfWork } from '@trellis/kernel/ports';
import type { Result } from '@trellis/kernel/result';
import type { ActionBuildRequested, Build } from '../domain/build.js';
import type { Scan, ScanFailure } from '../domain/scan.js';
import type { FoundAction, PackedAction, PreviousAction, RemovedAction, ScanProblem, ScannedAction } from '../domain/scan-result.js';
import type { Source } from '../domain/source.js';
import type { BuildOfVersion } from '../domain/standard-library.js';

export type { Clock, Ids };

export type Projects = {
  /** Has the project's announcement arrived (and no deletion since)? */
  isKnown: (projectId: string) => Promise<boolean>;
  /** isKnown, and the project's row locked until the transaction ends (serialises the standard library's installs). */
  lockIfKnown: (projectId: string) => Promise<boolean>;
  /** Every known project. */
  ids: () => Promise<string[]>;
};

/** A source with its sealed password, for the worker that clones it. Never leaves the service. */
export type SourceWithSecret = { readonly source: Source; readonly sealedPassword: string | null };

export type SourceRepository = {
  /** False when the project already has a source of that name. */
  insertIfNameFree: (source: Source, sealedPassword: string | null) => Promise<boolean>;
  /** Locked until the transaction ends. */
  findForUpdate: (projectId: string, id: string) => Promise<Source | undefined>;
  find: (projectId: string, id: string) => Promise<Source | undefined>;
  /** The project's managed source (the standard library), locked until the transaction ends. */
  findManaged: (projectId: string) => Promise<Source | undefined>;
  findWithSecret: (projectId: string, id: string) => Promise<SourceWithSecret | undefined>;
  /** `sealedPassword`: a new sealed value, null to remove it, undefined to keep it. False when the new name is taken. */
  update: (source: Source, sealedPassword: string | null | undefined) => Promise<boolean>;
  /** Deletes the source with its scans and builds. */
  delete: (projectId: string, id: string) => Promise<void>;
};

/** What a finished scan recorded. */
export type ScanFindings = {
  readonly actions: readonly ScannedAction[];
  readonly removed: readonly RemovedAction[];
  readonly problems: readonly ScanProblem[];
};

export type ScanRepository = {
  /** The source's scan that waits for a worker, if any. */
  findQueued: (sourceId: string) => Promise<Scan | undefined>;
  /** Whether a scan of the source waits or runs. */
  hasPending: (sourceId: string) => Promise<boolean>;
  /** Inserts a queued scan and wakes the workers when the transaction commits. */
  insert: (scan: Scan) => Promise<void>;
  findForUpdate: (projectId: string, id: string) => Promise<Scan | undefined>;
  /** Writes status and times (a cancellation). */
  update: (scan: Scan) => Promise<void>;
  /**
   * Records the end of a scan that the worker `owner` holds: its status, and for a done scan its
   * findings. False when the scan is no longer the worker's (canceled, or taken over after its
   * lease expired): nothing is written then.
   */
  finish: (scan: Scan, owner: string, findings: ScanFindings | undefined) => Promise<boolean>;
  /** The actions of the source's last done scan other than `exceptScanId`, for the comparison. */
  previousActions: (sourceId: string, exceptScanId: string) => Promise<PreviousAction[] | undefined>;
  /** The source's last done scan with its actions: what a build request builds. */
  lastDone: (sourceId: string) => Promise<{ scanId: string; commit: string; actions: ScannedAction[] } | undefined>;
};

export type BuildRepository = {
  insert: (builds: readonly Build[]) => Promise<void>;
  /** Locked until the transaction ends. */
  findForUpdate: (id: string) => Promise<Build | undefined>;
  update: (build: Build) => Promise<void>;
  /** The action, version and status of every build of the source. */
  ofSource: (sourceId: string) => Promise<BuildOfVersion[]>;
};

export type RepositoryEvent = ActionBuildRequested;

/** Events commit with the state change; the trace id of the request that caused them travels with them. */
export type Outbox = { append: (events: readonly RepositoryEvent[], traceId: string) => Promise<void> };

export type Transaction = {
  projects: Projects;
  sources: SourceRepository;
  scans: ScanRepository;
  builds: BuildRepository;
  outbox: Outbox;
};

export type UnitOfWork = KernelUnitOfWork<Transaction>;

/** Seals what must stay secret at rest with the service's own key; `context` (the row id) binds a value to its row. */
export type Vault = {
  seal: (plaintext: string, context: string) => string;
  /** Throws when the value does not open (another key, another row). */
  open: (sealed: string, context: string) => string;
};

/** A commit of a source, checked out on the service's disk for the time of a scan. */
export type Checkout = {
  readonly root: string;
  readonly commit: string;
  readonly branch: string;
  /** Removes the working copy. */
  dispose: () => Promise<void>;
};

export type CloneRequest = {
  readonly url: string;
  readonly branch: string | null;
  readonly credentials: { readonly username: string; readonly password: string } | null;
};

/** The system's git: shallow, one branch, within the instance's limits of time, size and file count. */
export type Git = {
  checkout: (request: CloneRequest, signal: AbortSignal) => Promise<Result<Checkout, ScanFailure>>;
};

/** Every action folder of a working copy (trellis.yaml, ryax_metadata.yaml), loaded and checked. */
export type ActionFinder = {
  find: (root: string, signal: AbortSignal) => Promise<{ actions: FoundAction[]; problems: ScanProblem[] }>;
};

/** Packs an action folder into its deterministic tarball and stores it under the source's objects. */
export type SourceArchives = {
  store: (input: { projectId: string; sourceId: string; root: string; found: FoundAction }) => Promise<PackedAction>;
};

/** The objects the repository keeps for one source (its tarballs). */
export type SourceObjects = { deleteAll: (projectId: string, sourceId: string) => Promise<void> };
