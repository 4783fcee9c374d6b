/**
 * Per-project roles, each including the rights of the ones before it. The one list of them:
 * authorization's domain, the platform's access checks, the HTTP schemas and the database
 * checks all come from (or are pinned by a test to) this constant.
 */
export const ROLES = ['viewer', 'operator', 'developer', 'owner'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Does holding `held` give the rights of `needed`? */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}
