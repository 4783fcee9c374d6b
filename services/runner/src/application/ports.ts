import type { UnitOfWork as KernelUnitOfWork } from '@trellis/kernel/ports';
import type { Change, Held, JsonValue, ValueKind } from '../domain/project-value.js';

/** What the runner knows of a project (tenancy keeps the rows; this is the question use cases ask). */
export type ProjectStatus = 'known' | 'unknown' | 'deleted';

export type Projects = {
  /** Takes the project's lock until the transaction ends (its events are handled one at a time), then tells its status. */
  statusForUpdate: (projectId: string) => Promise<ProjectStatus>;
};

/** The project values as changes write them. */
export type ProjectValueRepository = {
  /** The last change applied to the name (a value or a tombstone), or undefined when none was. */
  held: (projectId: string, kind: ValueKind, name: string) => Promise<Held | undefined>;
  /** Makes `change` what the runner holds for its name: the value, or a tombstone with its revision. */
  apply: (change: Change) => Promise<void>;
};

export type Transaction = { projects: Projects; values: ProjectValueRepository };

export type UnitOfWork = KernelUnitOfWork<Transaction>;

/**
 * A project's variables and secrets as runs read them: what run-time input resolution uses.
 * A secret comes out opened; one that cannot be opened (sealed for another runner key, or
 * altered) throws, saying why.
 */
export type ProjectValues = {
  variables: (projectId: string) => Promise<Record<string, JsonValue>>;
  /** Undefined when the project has no secret of that name. */
  secret: (projectId: string, name: string) => Promise<string | undefined>;
};
