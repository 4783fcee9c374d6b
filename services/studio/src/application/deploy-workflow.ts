import type { JsonValue } from '@trellis/kernel/io';
import type { Clock, Ids } from '@trellis/kernel/ports';
import type { SiteName } from '@trellis/workflow-language/resources';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { UploadedFile } from '../domain/file.js';
import type { LibraryAction } from '../domain/library-action.js';
import { usesOf } from '../domain/workflow/pins.js';
import { validateWorkflow } from '../domain/workflow/validate.js';
import * as Workflow from '../domain/workflow/workflow.js';
import type { Transaction, UnitOfWork } from './ports.js';
import { pinnedAndChecked, validationContext } from './workflow-drafts.js';
import type { Checksum } from './workflow-ports.js';
import { workflowNotFound, type WorkflowNotFound, type WorkflowVersionNotFound } from './workflow-rejections.js';

/** `siteDefault`: where a workflow whose document names no site runs (TRELLIS_SITE_DEFAULT). */
type Deps = { uow: UnitOfWork; clock: Clock; ids: Ids; checksum: Checksum; siteDefault: SiteName };
type Frozen = { workflow: Workflow.Workflow; version: Workflow.WorkflowVersion; reused: boolean; actions: LibraryAction[]; files: UploadedFile[] };
/**
 * Holds the variables, secrets and uploaded files a document uses until the transaction ends
 * (values in name order, so two deploys cannot deadlock): a deletion of one waits, then sees the
 * version that uses it. Answers the files the project has among those it names, for the snapshot.
 */
async function holdUses(tx: Transaction, projectId: string, document: JsonValue): Promise<UploadedFile[]> {
  const { variables, secrets, files } = usesOf(document);
  for (const name of [...new Set([...variables, ...secrets])].sort()) await tx.revisions.lock(projectId, name);
  return files.length > 0 ? tx.files.findForShare(projectId, files) : [];
}

type Rejection = WorkflowNotFound | WorkflowVersionNotFound | Workflow.WorkflowInvalid | Workflow.PinnedActionUnavailable | Workflow.ImageMissing;

/**
 * The draft as a version: validated (every problem refuses it), its actions pinned and locked
 * against deletion, then frozen as a new version or, when nothing changed since the latest,
 * that one again.
 */
async function freezeDraft(deps: Deps, tx: Transaction, workflow: Workflow.Workflow, by: string): Promise<Result<Frozen, Workflow.WorkflowInvalid | Workflow.PinnedActionUnavailable>> {
  const pinned = await pinnedAndChecked(tx, workflow.projectId, workflow.document, workflow.id);
  // Locked first, checked after: an action version deleted meanwhile is a problem, not a dangling pin.
  const locked = await tx.library.findForShare(workflow.projectId, Workflow.pinnedReferences(pinned.document));
  const files = await holdUses(tx, workflow.projectId, pinned.document);
  const problems = validateWorkflow(pinned.document, await validationContext(tx, workflow.projectId, pinned.document, workflow.id));
  if (problems.length > 0) return rejected({ type: 'WorkflowInvalid', problems });
  const pins = Workflow.pinnedReferences(pinned.document).map(({ actionId, version }) => {
    const action = locked.find((row) => row.actionId === actionId && row.version === version);
    if (!action) throw new Error(`${actionId}@${version} passed validation but is not in the library`);
    return { actionId, version, digest: action.digest };
  });
  const latest = workflow.latestVersion > 0 ? await tx.workflowVersions.latest(workflow.projectId, workflow.id) : undefined;
  const checksum = deps.checksum(Workflow.checksumText(pinned.document, pins));
  const frozen = Workflow.freeze(workflow, { document: pinned.document, pins, checksum, latest, by, now: deps.clock() });
  if (!frozen.reused) await tx.workflowVersions.insert(frozen.version, usesOf(frozen.version.document));
  const actions = Workflow.pinnedActions(frozen.version, locked);
  return actions.ok ? ok({ ...frozen, actions: actions.value, files }) : actions;
}

/** A version deployed again as it was frozen (a rollback): its pinned builds must still be there, and it must still be valid here. */
async function thawVersion(tx: Transaction, workflow: Workflow.Workflow, number: number): Promise<Result<Frozen, Rejection>> {
  const version = await tx.workflowVersions.find(workflow.projectId, workflow.id, number);
  if (!version) return rejected({ type: 'WorkflowVersionNotFound', version: number } as const);
  const actions = Workflow.pinnedActions(version, await tx.library.findForShare(workflow.projectId, version.pins));
  if (!actions.ok) return actions;
  const files = await holdUses(tx, workflow.projectId, version.document);
  const problems = validateWorkflow(version.document, await validationContext(tx, workflow.projectId, version.document, workflow.id));
  if (problems.length > 0) return rejected({ type: 'WorkflowInvalid', problems });
  return ok({ workflow, version, reused: true, actions: actions.value, files });
}

/**
 * Asks the runner to deploy the draft (frozen as a version) or, with `version`, an existing
 * version. One WorkflowDeployRequested with the whole snapshot commits with the new state.
 */
export async function deployWorkflow(
  deps: Deps,
  input: { projectId: string; workflowId: string; version?: number | undefined; by: string; traceId: string },
): Promise<Result<{ workflow: Workflow.Workflow; version: Workflow.WorkflowVersion; reused: boolean }, Rejection>> {
  return deps.uow(async (tx) => {
    const workflow = await tx.workflows.findForUpdate(input.projectId, input.workflowId);
    if (!workflow) return rejected(workflowNotFound);
    const frozen = input.version === undefined ? await freezeDraft(deps, tx, workflow, input.by) : await thawVersion(tx, workflow, input.version);
    if (!frozen.ok) return frozen;
    const { version, actions, files, reused } = frozen.value;
    // Checked on the version as frozen: a refusal rolls back a version just made with it.
    const site = Workflow.siteOf(version.document, deps.siteDefault);
    const imaged = Workflow.checkImages(actions, site);
    if (!imaged.ok) return imaged;
    const requested = Workflow.requestDeploy(frozen.value.workflow, { version, actions, files, site, deploymentId: deps.ids(), by: input.by, now: deps.clock() });
    await tx.workflows.update(requested.workflow);
    await tx.outbox.append(requested.events, input.traceId);
    return ok({ workflow: requested.workflow, version, reused });
  });
}
