import type { UnitOfWork as KernelUnitOfWork } from '@trellis/kernel/ports';
import type { LibraryAction } from '../domain/library-action.js';

/** What studio knows of a project (tenancy keeps the rows; this is the question use cases ask). */
export type ProjectStatus = 'known' | 'unknown' | 'deleted';

export type Projects = {
  statusOf: (projectId: string) => Promise<ProjectStatus>;
};

export type LibraryRepository = {
  /** The version, locked until the transaction ends (two deliveries of one build cannot both insert). */
  findForUpdate: (projectId: string, actionId: string, version: string) => Promise<LibraryAction | undefined>;
  save: (action: LibraryAction) => Promise<void>;
  /** False when there was no such version. */
  delete: (projectId: string, actionId: string, version: string) => Promise<boolean>;
};

export type Transaction = { projects: Projects; library: LibraryRepository };

export type UnitOfWork = KernelUnitOfWork<Transaction>;
