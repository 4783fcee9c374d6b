import type { Role } from '@trellis/kernel/roles';

// The roles are the kernel's (one list for every service and layer); re-exported for the edges.
export { isRole, roleAllows, ROLES, type Role } from '@trellis/kernel/roles';

/**
 * Who may call a route, declared next to its OpenAPI description:
 * - `public`: anyone (health, readiness, metrics, login, JWKS);
 * - `authenticated`: a person's access token, with or without a current project (me, switch,
 *   logout); API keys act for a project, not a person, and are refused;
 * - `admin`: an instance administrator's token;
 * - `project`: a token or API key whose current project role is at least `role`; with `admins`,
 *   instance administrators pass too, whatever their current project (member management).
 */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'admin' }
  | { readonly kind: 'project'; readonly role: Role; readonly admins?: boolean };

export const PUBLIC: Access = { kind: 'public' };
export const AUTHENTICATED: Access = { kind: 'authenticated' };
export const ADMIN: Access = { kind: 'admin' };
export const projectRole = (role: Role, options: { admins?: boolean } = {}): Access =>
  options.admins ? { kind: 'project', role, admins: true } : { kind: 'project', role };

/** The authenticated caller of a request. */
export type Caller = {
  readonly via: 'token' | 'api_key';
  /** Token id (`jti`) or API key id: what an audit line names. */
  readonly credentialId: string;
  /** Null for an API key: it acts for its project, not for a person. */
  readonly userId: string | null;
  readonly username: string | null;
  readonly isAdmin: boolean;
  readonly projectId: string | null;
  readonly role: Role | null;
  /** The refresh-token family a token belongs to (logout revokes it). */
  readonly sessionId: string | null;
};
