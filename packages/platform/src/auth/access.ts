/** Per-project roles, each including the rights of the ones before it. */
export const ROLES = ['viewer', 'operator', 'developer', 'owner'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

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
