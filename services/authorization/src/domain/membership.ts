/** Per-project roles, each including the rights of the ones before it. */
export const ROLES = ['viewer', 'operator', 'developer', 'owner'] as const;

export type Role = (typeof ROLES)[number];

export type Membership = {
  readonly projectId: string;
  readonly userId: string;
  readonly role: Role;
  readonly createdAt: Date;
};

export function includes(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}
