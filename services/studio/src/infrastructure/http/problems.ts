import { HttpProblem } from '@trellis/platform/http/problem';
import type { ActionVersionNotFound } from '../../application/delete-action-version.js';
import type { FileInUse, FileNotFound } from '../../application/file-rejections.js';
import type { ProjectNotKnown, SecretNotFound, VariableNotFound } from '../../application/project-value-rejections.js';
import type { InvalidFileName } from '../../domain/file.js';
import type { SecretRejection, VariableRejection } from '../../domain/project-values.js';
import { workflowProblemOf, type WorkflowRejection } from './workflow-problems.js';

/** Every rejection a studio use case returns at the HTTP edge. */
export type Rejection =
  | ActionVersionNotFound | VariableRejection | SecretRejection | ProjectNotKnown | VariableNotFound | SecretNotFound | WorkflowRejection
  | InvalidFileName | FileNotFound | FileInUse;

/** Rejection -> problem+json with a stable code. Exhaustive: a new rejection does not compile until it is mapped. */
export function problemOf(rejection: Rejection): HttpProblem {
  switch (rejection.type) {
    case 'ActionVersionNotFound':
      return new HttpProblem(404, 'action_version_not_found', 'Action version not found', `The library has no ${rejection.actionId}@${rejection.version}.`);
    case 'InvalidName':
      return new HttpProblem(400, 'invalid_name', 'Invalid name', `The name ${rejection.reason}.`);
    case 'ValueTooLarge':
      return new HttpProblem(400, 'value_too_large', 'Value too large',
        rejection.what === 'variable' ? `A variable's value, as JSON text, holds at most ${rejection.limitBytes} bytes (UTF-8).` : `A secret holds at most ${rejection.limitBytes} bytes (UTF-8).`);
    case 'ValueTooDeep':
      return new HttpProblem(400, 'value_too_deep', 'Value nested too deeply', `Lists and objects in a variable nest at most ${rejection.limit} levels deep.`);
    case 'InvalidValue':
      return new HttpProblem(400, 'invalid_value', 'Invalid value', rejection.reason);
    case 'ProjectNotKnown':
      return new HttpProblem(404, 'project_not_found', 'Project not found',
        'Studio does not know this project: it may have been created a moment ago (its announcement has not arrived yet) or deleted.');
    case 'VariableNotFound':
      return new HttpProblem(404, 'variable_not_found', 'Variable not found', `Your current project has no variable ${JSON.stringify(rejection.name)}.`);
    case 'SecretNotFound':
      return new HttpProblem(404, 'secret_not_found', 'Secret not found', `Your current project has no secret ${JSON.stringify(rejection.name)}.`);
    case 'InvalidFileName':
      return new HttpProblem(400, 'invalid_file_name', 'Invalid file name', `The file name (?name=) ${rejection.reason}.`);
    case 'FileNotFound':
      return fileNotFound();
    case 'FileInUse':
      return new HttpProblem(409, 'file_in_use', 'File in use',
        `The file ${JSON.stringify(rejection.name)} (${rejection.id}) is used by the deployed workflows ${rejection.workflows.map((name) => JSON.stringify(name)).join(', ')}: `
        + 'undeploy them (or deploy versions without it) first.');
    case 'WorkflowNotFound': case 'WorkflowVersionNotFound': case 'WorkflowNameTaken': case 'WorkflowUnsavable': case 'WorkflowInvalid':
    case 'WorkflowLive': case 'NotDeployed': case 'PinnedActionUnavailable': case 'ImageMissing': case 'ActionVersionInUse': case 'VariableInUse': case 'SecretInUse':
      return workflowProblemOf(rejection);
  }
}

export const actionNotFound = (actionId: string) =>
  new HttpProblem(404, 'action_not_found', 'Action not found', `The library of this project has no action ${JSON.stringify(actionId)}.`);

export const fileNotFound = () => new HttpProblem(404, 'file_not_found', 'File not found', 'Your current project has no such file.');
