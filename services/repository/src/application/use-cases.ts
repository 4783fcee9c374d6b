import type { Clock, Ids } from '@trellis/kernel/ports';
import type { Settings } from '../domain/source.js';
import { cancelScan } from './cancel-scan.js';
import { changeSource } from './change-source.js';
import { createSource } from './create-source.js';
import { deleteSource } from './delete-source.js';
import type { ActionFinder, Git, SourceArchives, SourceObjects, UnitOfWork, Vault } from './ports.js';
import { requestBuilds } from './request-builds.js';
import { requestScan } from './request-scan.js';
import { abandonScan, runScan, type ScanJob } from './run-scan.js';
import { buildStandardLibrary, installStandardLibrary, installStandardLibraryEverywhere } from './standard-library.js';

type InputOf<F> = F extends (deps: never, input: infer I) => unknown ? I : never;

export type UseCaseDeps = {
  uow: UnitOfWork;
  vault: Vault;
  clock: Clock;
  ids: Ids;
  settings: Settings;
  objects: SourceObjects;
  git: Git;
  finder: ActionFinder;
  archives: SourceArchives;
};

/** Every use case of the repository, bound once to its dependencies. */
export function makeUseCases(deps: UseCaseDeps) {
  return {
    createSource: (input: InputOf<typeof createSource>) => createSource(deps, input),
    changeSource: (input: InputOf<typeof changeSource>) => changeSource(deps, input),
    deleteSource: (input: InputOf<typeof deleteSource>) => deleteSource(deps, input),
    requestScan: (input: InputOf<typeof requestScan>) => requestScan(deps, input),
    cancelScan: (input: InputOf<typeof cancelScan>) => cancelScan(deps, input),
    runScan: (job: ScanJob, signal: AbortSignal) => runScan(deps, job, signal),
    abandonScan: (job: ScanJob) => abandonScan(deps, job),
    requestBuilds: (input: InputOf<typeof requestBuilds>) => requestBuilds(deps, input),
    installStandardLibrary: (input: InputOf<typeof installStandardLibrary>) => installStandardLibrary(deps, input),
    installStandardLibraryEverywhere: (input: InputOf<typeof installStandardLibraryEverywhere>) => installStandardLibraryEverywhere(deps, input),
    buildStandardLibrary: (input: InputOf<typeof buildStandardLibrary>) => buildStandardLibrary(deps, input),
  };
}

export type UseCases = ReturnType<typeof makeUseCases>;
