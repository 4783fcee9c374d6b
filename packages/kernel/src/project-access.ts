import { roleAllows, type Role } from './roles.js';

/** What a credential carries that decides whether it may act on a project. */
export type ProjectCredential = {
  /** A person's instance-admin flag (false for an API key). */
  readonly isAdmin: boolean;
  /** The project the credential acts for (a token's current project, an API key's project). */
  readonly projectId: string | null;
  readonly role: Role | null;
};

export type ProjectAccess = 'allowed' | 'not_found' | 'forbidden';

/**
 * May `credential` act on `projectId` with at least `needed`? The one rule of the platform:
 * a credential for another project learns nothing about this one, it gets `not_found` exactly
 * as for a project that does not exist, before its role is looked at. Instance admins pass
 * where the rule admits them (`adminMay`, e.g. member management), whatever their project.
 */
export function projectAccess(credential: ProjectCredential, projectId: string, needed: Role, options: { adminMay: boolean }): ProjectAccess {
  if (options.adminMay && credential.isAdmin) return 'allowed';
  if (credential.projectId !== projectId) return 'not_found';
  if (credential.role === null || !roleAllows(credential.role, needed)) return 'forbidden';
  return 'allowed';
}
