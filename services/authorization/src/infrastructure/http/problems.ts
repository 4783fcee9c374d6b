import { HttpProblem, toProblem } from '@trellis/platform/http/problem';
import type { RequestContext, RouteResult } from '@trellis/platform/http/route';
import type { CreateUserRejection } from '../../application/create-user.js';
import type { InvalidCredentials } from '../../application/log-in.js';
import type { Forbidden } from '../../application/project-scope.js';
import type { InvalidRefreshToken } from '../../application/refresh-session.js';
import type { SessionEnded } from '../../application/switch-project.js';
import type { Throttled } from '../../application/throttle-steps.js';
import type { UserNotFound } from '../../application/update-user.js';
import type { ApiKeyRejection } from '../../domain/api-key.js';
import type { MembershipRejection } from '../../domain/membership.js';
import type { ProjectRejection } from '../../domain/project.js';
import type { ProjectNotFound } from '../../domain/session.js';
import type { AdminRejection } from '../../domain/user.js';

/** Every expected rejection a use case of this service can return. */
export type Rejection =
  | CreateUserRejection
  | AdminRejection
  | UserNotFound
  | ProjectRejection
  | ProjectNotFound
  | MembershipRejection
  | ApiKeyRejection
  | Forbidden
  | Throttled
  | InvalidCredentials
  | InvalidRefreshToken
  | SessionEnded
  | { readonly type: 'WrongPassword' };

/** Rejection -> problem+json with a stable code. Exhaustive: a new rejection does not compile until it is mapped. */
export function problemOf(rejection: Rejection): HttpProblem {
  switch (rejection.type) {
    case 'InvalidUsername':
      return new HttpProblem(400, 'invalid_username', 'Invalid username', `The username ${rejection.reason}.`);
    case 'PasswordTooShort':
      return new HttpProblem(400, 'password_too_short', 'Password too short', `A password has at least ${rejection.minimum} characters.`);
    case 'PasswordIsUsername':
      return new HttpProblem(400, 'password_is_username', 'Password is the username', 'The password may not be the username.');
    case 'InvalidEmail':
      return new HttpProblem(400, 'invalid_email', 'Invalid email address');
    case 'InvalidDisplayName':
      return new HttpProblem(400, 'invalid_display_name', 'Invalid display name', `The display name ${rejection.reason}.`);
    case 'UsernameTaken':
      return new HttpProblem(409, 'username_taken', 'Username taken', 'Another account already has this username.');
    case 'UserNotFound':
      return new HttpProblem(404, 'user_not_found', 'User not found');
    case 'LastAdmin':
      return new HttpProblem(409, 'last_admin', 'Last administrator', 'The instance must keep at least one enabled administrator.');
    case 'CannotDeleteSelf':
      return new HttpProblem(409, 'cannot_delete_self', 'Cannot delete yourself', 'Another administrator must delete this account.');
    case 'InvalidProjectName':
      return new HttpProblem(400, 'invalid_project_name', 'Invalid project name', `The project name ${rejection.reason}.`);
    case 'InvalidProjectTitle':
      return new HttpProblem(400, 'invalid_project_title', 'Invalid project title', `The title ${rejection.reason}.`);
    case 'ProjectNameTaken':
      return new HttpProblem(409, 'project_name_taken', 'Project name taken', 'Another project already has this name.');
    case 'ProjectNotFound':
      return new HttpProblem(404, 'project_not_found', 'Project not found');
    case 'AlreadyMember':
      return new HttpProblem(409, 'already_member', 'Already a member', 'Change the member\'s role instead.');
    case 'MemberNotFound':
      return new HttpProblem(404, 'member_not_found', 'Member not found');
    case 'LastOwner':
      return new HttpProblem(409, 'last_owner', 'Last owner', 'A project keeps at least one owner; make someone else owner first.');
    case 'InvalidApiKeyName':
      return new HttpProblem(400, 'invalid_api_key_name', 'Invalid API key name', `The name ${rejection.reason}.`);
    case 'ApiKeyExpiryInPast':
      return new HttpProblem(400, 'api_key_expiry_in_past', 'Expiry in the past', 'An API key must expire in the future.');
    case 'ApiKeyNotFound':
      return new HttpProblem(404, 'api_key_not_found', 'API key not found');
    case 'Forbidden':
      return new HttpProblem(403, 'forbidden', 'Forbidden', `This requires the ${rejection.needed} role or above in the project.`);
    case 'LoginThrottled':
      return new HttpProblem(429, 'too_many_attempts', 'Too many attempts', `Too many failed attempts; try again in ${rejection.retryAfterSeconds} s.`);
    case 'InvalidCredentials':
      return new HttpProblem(401, 'invalid_credentials', 'Invalid credentials', 'The username or password is wrong.');
    case 'InvalidRefreshToken':
      return new HttpProblem(401, 'invalid_refresh_token', 'Invalid refresh token', 'Log in again.');
    case 'SessionEnded':
      return new HttpProblem(401, 'session_ended', 'Session ended', 'Log in again.');
    case 'WrongPassword':
      return new HttpProblem(403, 'wrong_password', 'Wrong password', 'The current password is wrong.');
  }
}

/**
 * Throws the problem for a rejection. A throttled attempt is answered rather than thrown: its
 * Retry-After header cannot travel on a thrown HttpProblem.
 */
export function refuse(rejection: Rejection, context: RequestContext, instance: string): RouteResult {
  const problem = problemOf(rejection);
  if (rejection.type !== 'LoginThrottled') throw problem;
  return {
    status: problem.status,
    headers: { 'retry-after': String(rejection.retryAfterSeconds) },
    contentType: 'application/problem+json',
    body: toProblem(problem, instance, context.requestId),
  };
}
