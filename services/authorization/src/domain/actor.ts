import * as Access from '@trellis/kernel/project-access';
import type { Role } from './role.js';

/**
 * Who asks for a change: a person (through an access token) or a project API key. The
 * project and role are those of the credential: a token names one current project.
 */
export type Actor = {
  readonly userId: string | null;
  readonly apiKeyId: string | null;
  readonly isAdmin: boolean;
  readonly projectId: string | null;
  readonly role: Role | null;
};

/** The id recorded as author of a change (`changed_by`, `created_by`): the user, or the API key that acted. */
export function idOf(actor: Actor): string {
  const id = actor.userId ?? actor.apiKeyId;
  if (id === null) throw new Error('an actor has a user or an API key');
  return id;
}

export type ProjectAccess = Access.ProjectAccess;

/**
 * May `actor` act on `projectId` with at least `needed`? The platform's one rule (see the
 * kernel's projectAccess): another project's id answers `not_found`, exactly as a missing one.
 * Instance admins pass when the rule lets them (member management), whatever their token's project.
 */
export function projectAccess(actor: Actor, projectId: string, needed: Role, options: { adminMay: boolean }): ProjectAccess {
  return Access.projectAccess({ isAdmin: actor.isAdmin && actor.userId !== null, projectId: actor.projectId, role: actor.role }, projectId, needed, options);
}
