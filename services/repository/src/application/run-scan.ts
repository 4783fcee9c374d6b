import type { Clock } from '@trellis/kernel/ports';
import * as Scan from '../domain/scan.js';
import { compare, sortProblems, withoutDuplicates, type PackedAction, type ScanProblem } from '../domain/scan-result.js';
import type { ActionFinder, Checkout, Git, SourceArchives, UnitOfWork, Vault } from './ports.js';

/** A scan a worker has claimed: `owner` names the worker, whose lease fences what it writes. */
export type ScanJob = { readonly scan: Scan.Scan; readonly owner: string };

/**
 * - done / failed: recorded;
 * - lost: the scan is no longer this worker's (canceled, taken over, its source deleted): nothing written;
 * - aborted: the worker stopped it (shutting down): nothing written, the worker gives it back.
 */
export type ScanOutcome = { readonly outcome: 'done' | 'failed' | 'lost' | 'aborted'; readonly scan: Scan.Scan };

export type RunScanDeps = { uow: UnitOfWork; vault: Vault; git: Git; finder: ActionFinder; archives: SourceArchives; clock: Clock };

type Findings = { readonly packed: readonly PackedAction[]; readonly problems: readonly ScanProblem[] };

/**
 * Runs one scan: clones the source's branch, finds and checks every action folder, stores a
 * tarball of each valid one, compares them with the previous scan and records it all at once.
 * A clone that fails is recorded as a failed scan with the reason in plain words.
 */
export async function runScan(deps: RunScanDeps, job: ScanJob, signal: AbortSignal): Promise<ScanOutcome> {
  const { scan, owner } = job;
  const fail = (failure: Scan.ScanFailure) => record(deps, owner, Scan.fail(scan, failure, deps.clock()));

  if (Scan.exhausted(scan)) return fail({ code: 'interrupted', attempts: scan.attempt - 1 });
  const found = await deps.uow((tx) => tx.sources.findWithSecret(scan.projectId, scan.sourceId));
  if (!found) return { outcome: 'lost', scan };
  let password: string | undefined;
  try {
    password = found.sealedPassword === null ? undefined : deps.vault.open(found.sealedPassword, found.source.id);
  } catch {
    return fail({ code: 'credentials_unreadable' });
  }
  const credentials = password === undefined ? null : { username: found.source.username ?? '', password };
  const cloned = await deps.git.checkout({ url: found.source.url, branch: found.source.branch, credentials }, signal);
  if (!cloned.ok) return signal.aborted ? { outcome: 'aborted', scan } : fail(cloned.error);
  try {
    const findings = await findActions(deps, scan, cloned.value, signal);
    if (findings === 'aborted') return { outcome: 'aborted', scan };
    return await record(deps, owner, Scan.complete(scan, { commit: cloned.value.commit, branch: cloned.value.branch }, deps.clock()), findings);
  } finally {
    await cloned.value.dispose();
  }
}

async function findActions(deps: RunScanDeps, scan: Scan.Scan, checkout: Checkout, signal: AbortSignal): Promise<Findings | 'aborted'> {
  const found = await deps.finder.find(checkout.root, signal);
  const unique = withoutDuplicates(found.actions);
  const packed: PackedAction[] = [];
  for (const action of unique.actions) {
    if (signal.aborted) return 'aborted';
    packed.push(await deps.archives.store({ projectId: scan.projectId, sourceId: scan.sourceId, root: checkout.root, found: action }));
  }
  if (signal.aborted) return 'aborted';
  return { packed, problems: sortProblems([...found.problems, ...unique.problems]) };
}

/** Writes the end of the scan, fenced by the worker's lease; a done scan is compared with the previous one in the same transaction. */
async function record(deps: RunScanDeps, owner: string, ended: Scan.Scan, findings?: Findings): Promise<ScanOutcome> {
  const written = await deps.uow(async (tx) => {
    if (!findings) return tx.scans.finish(ended, owner, undefined);
    const { actions, removed } = compare(await tx.scans.previousActions(ended.sourceId, ended.id), findings.packed);
    return tx.scans.finish(ended, owner, { actions, removed, problems: findings.problems });
  });
  return { outcome: !written ? 'lost' : ended.status === 'done' ? 'done' : 'failed', scan: ended };
}

/** A scan whose run threw (a failure of the world): recorded as failed, so that it does not wait forever; fenced like any end. */
export async function abandonScan(deps: Pick<RunScanDeps, 'uow' | 'clock'>, job: ScanJob): Promise<boolean> {
  return deps.uow((tx) => tx.scans.finish(Scan.fail(job.scan, { code: 'internal_error' }, deps.clock()), job.owner, undefined));
}
