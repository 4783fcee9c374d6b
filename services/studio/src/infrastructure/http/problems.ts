import { HttpProblem } from '@trellis/platform/http/problem';
import type { ActionVersionNotFound } from '../../application/delete-action-version.js';

/** Every rejection a studio use case returns at the HTTP edge. */
export type Rejection = ActionVersionNotFound;

/** Rejection -> problem+json with a stable code. Exhaustive: a new rejection does not compile until it is mapped. */
export function problemOf(rejection: Rejection): HttpProblem {
  switch (rejection.type) {
    case 'ActionVersionNotFound':
      return new HttpProblem(404, 'action_version_not_found', 'Action version not found', `The library has no ${rejection.actionId}@${rejection.version}.`);
  }
}

export const actionNotFound = (actionId: string) =>
  new HttpProblem(404, 'action_not_found', 'Action not found', `The library of this project has no action ${JSON.stringify(actionId)}.`);
