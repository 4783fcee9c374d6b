import { pathText } from '@trellis/workflow-language/document';
import { HttpProblem, type ProblemError } from '@trellis/platform/http/problem';
import type { ActionVersionInUse, SecretInUse, VariableInUse, WorkflowNameTaken, WorkflowNotFound, WorkflowVersionNotFound } from '../../application/workflow-rejections.js';
import type { Problem } from '../../domain/workflow/validate.js';
import type { ImageMissing, NotDeployed, PinnedActionUnavailable, WorkflowInvalid, WorkflowLive, WorkflowUnsavable } from '../../domain/workflow/workflow.js';

export type WorkflowRejection =
  | WorkflowNotFound | WorkflowVersionNotFound | WorkflowNameTaken | WorkflowUnsavable | WorkflowInvalid | WorkflowLive | NotDeployed
  | PinnedActionUnavailable | ImageMissing | ActionVersionInUse | VariableInUse | SecretInUse;

/** Where a problem sits in the text the document came from (YAML), when there was one. */
export type Locate = (path: Problem['path']) => { line: number; column: number } | undefined;

/** A document's problems as the answers carry them: stable code, path as text, message, and line and column in a YAML body. */
export function problemEntry(problem: Problem, locate?: Locate): ProblemError & { code: string } {
  const at = locate?.(problem.path);
  return { code: problem.code, path: pathText(problem.path), message: problem.message, ...(at ? { line: at.line, column: at.column } : {}) };
}

export function invalidWorkflow(detail: string, problems: readonly Problem[], locate?: Locate): HttpProblem {
  return new HttpProblem(422, 'workflow_invalid', 'Invalid workflow', detail, problems.map((problem) => problemEntry(problem, locate)));
}

const HOW_TO_GET_AN_IMAGE: Record<ImageMissing['site'], string> = {
  docker: 'rebuild it with TRELLIS_IMAGES=docker (or registry) on the action-builder',
  kubernetes: 'rebuild it with TRELLIS_IMAGES=registry and TRELLIS_IMAGE_REGISTRY set on the action-builder (the cluster pulls images from a registry)',
};

const quoted = (names: readonly string[]) => names.map((name) => JSON.stringify(name)).join(', ');

/** Workflow rejection -> problem+json with a stable code (called by studio's problemOf). */
export function workflowProblemOf(rejection: WorkflowRejection, locate?: Locate): HttpProblem {
  switch (rejection.type) {
    case 'WorkflowNotFound':
      return new HttpProblem(404, 'workflow_not_found', 'Workflow not found', 'Your current project has no such workflow.');
    case 'WorkflowVersionNotFound':
      return new HttpProblem(404, 'workflow_version_not_found', 'Workflow version not found', `The workflow has no version ${rejection.version}.`);
    case 'WorkflowNameTaken':
      return new HttpProblem(409, 'workflow_name_taken', 'Workflow name taken', `The project already has a workflow named ${JSON.stringify(rejection.name)}.`);
    case 'WorkflowUnsavable':
      return invalidWorkflow('A workflow is saved under its name: the document must be an object with a valid name.', rejection.problems, locate);
    case 'WorkflowInvalid':
      return invalidWorkflow(`The workflow has ${rejection.problems.length} problem(s); a workflow with problems can be saved as a draft but not deployed.`, rejection.problems, locate);
    case 'WorkflowLive':
      return new HttpProblem(409, 'workflow_deployed', 'Workflow deployed',
        `The workflow ${JSON.stringify(rejection.name)} is ${rejection.status} (the runner serves it, or is asked to): undeploy it first.`);
    case 'NotDeployed':
      return new HttpProblem(409, 'not_deployed', 'Workflow not deployed', `Nothing of the workflow ${JSON.stringify(rejection.name)} is deployed or being deployed.`);
    case 'PinnedActionUnavailable':
      return new HttpProblem(409, 'pinned_action_unavailable', 'Pinned action unavailable',
        `Version ${rejection.version} pins ${rejection.actionId}@${rejection.actionVersion}, which the library ${rejection.reason === 'deleted' ? 'no longer has' : 'now holds another build of'}: deploy the draft instead.`);
    case 'ImageMissing':
      return new HttpProblem(409, 'image_missing', 'Image missing',
        `The workflow runs on the ${rejection.site} site, and ${rejection.actionId}@${rejection.actionVersion} has no image for it: ${HOW_TO_GET_AN_IMAGE[rejection.site]}, ` +
        'or deploy the workflow to another site (its `site` field).');
    case 'ActionVersionInUse':
      return new HttpProblem(409, 'action_version_in_use', 'Action version in use',
        `${rejection.actionId}@${rejection.version} is used by the deployed workflows ${quoted(rejection.workflows)}: undeploy them (or deploy versions without it) first.`);
    case 'VariableInUse':
      return new HttpProblem(409, 'variable_in_use', 'Variable in use',
        `The variable ${JSON.stringify(rejection.name)} is used by the deployed workflows ${quoted(rejection.workflows)}: undeploy them (or deploy versions without it) first.`);
    case 'SecretInUse':
      return new HttpProblem(409, 'secret_in_use', 'Secret in use',
        `The secret ${JSON.stringify(rejection.name)} is used by the deployed workflows ${quoted(rejection.workflows)}: undeploy them (or deploy versions without it) first.`);
  }
}
