// The roles are the shared kernel's: one list for every service, layer and edge.
export { isRole, roleAllows as includes, ROLES, type Role } from '@trellis/kernel/roles';
