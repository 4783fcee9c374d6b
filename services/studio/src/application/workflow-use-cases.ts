import type { Clock, Ids } from '@trellis/kernel/ports';
import type { SiteName } from '@trellis/workflow-language/resources';
import { createWorkflow } from './create-workflow.js';
import { deleteWorkflow } from './delete-workflow.js';
import { deployWorkflow } from './deploy-workflow.js';
import { importWorkflow } from './import-workflow.js';
import type { UnitOfWork } from './ports.js';
import { exportWorkflow, getVersion, getWorkflow, validateDocument } from './read-workflow.js';
import { recordDeployAnswer } from './record-deploy-answer.js';
import { patchDraft, replaceDraft } from './replace-draft.js';
import { undeployWorkflow } from './undeploy-workflow.js';
import type { Checksum } from './workflow-ports.js';

type InputOf<F> = F extends (deps: never, input: infer I) => unknown ? I : never;

export type WorkflowDeps = { uow: UnitOfWork; clock: Clock; ids: Ids; checksum: Checksum; siteDefault: SiteName };

/** The use cases of workflows, bound once to their dependencies. */
export function makeWorkflowUseCases(deps: WorkflowDeps) {
  return {
    createWorkflow: (input: InputOf<typeof createWorkflow>) => createWorkflow(deps, input),
    replaceDraft: (input: InputOf<typeof replaceDraft>) => replaceDraft(deps, input),
    patchDraft: (input: InputOf<typeof patchDraft>) => patchDraft(deps, input),
    importWorkflow: (input: InputOf<typeof importWorkflow>) => importWorkflow(deps, input),
    deleteWorkflow: (input: InputOf<typeof deleteWorkflow>) => deleteWorkflow(deps, input),
    validateDocument: (input: InputOf<typeof validateDocument>) => validateDocument(deps, input),
    getWorkflow: (input: InputOf<typeof getWorkflow>) => getWorkflow(deps, input),
    getVersion: (input: InputOf<typeof getVersion>) => getVersion(deps, input),
    exportWorkflow: (input: InputOf<typeof exportWorkflow>) => exportWorkflow(deps, input),
    deployWorkflow: (input: InputOf<typeof deployWorkflow>) => deployWorkflow(deps, input),
    undeployWorkflow: (input: InputOf<typeof undeployWorkflow>) => undeployWorkflow(deps, input),
    recordDeployAnswer: (input: InputOf<typeof recordDeployAnswer>) => recordDeployAnswer(deps, input),
  };
}

export type WorkflowUseCases = ReturnType<typeof makeWorkflowUseCases>;
