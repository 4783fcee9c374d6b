import type { AuditEntry } from '../../api/admin.js';

/** Who and what an audit entry names, in words: ids are turned into the names we know. */
export type Names = { users: ReadonlyMap<string, string>; projects: ReadonlyMap<string, string> };

/** Adds the names deletions recorded (`project_deleted` has the name, `user_deleted` the username): what is gone is still named. */
export function withDeletedNames(names: Names, deletions: readonly AuditEntry[]): Names {
  const users = new Map(names.users);
  const projects = new Map(names.projects);
  for (const entry of deletions) {
    const { target_id: id, details } = entry;
    if (!id) continue;
    if (entry.type === 'user_deleted' && typeof details.username === 'string' && !users.has(id)) users.set(id, details.username);
    if (entry.type === 'project_deleted' && typeof details.name === 'string' && !projects.has(id)) projects.set(id, details.name);
  }
  return { users, projects };
}

export function actorText(entry: AuditEntry, names: Names): string {
  if (entry.actor_user_id) return names.users.get(entry.actor_user_id) ?? entry.actor_user_id;
  if (entry.actor_api_key_id) return `API key ${entry.actor_api_key_id.slice(0, 8)}`;
  // No actor: someone not logged in (a refused login), or Trellis itself (bootstrap, key rotation).
  return entry.type === 'login' ? 'anonymous' : 'Trellis';
}

export function targetText(entry: AuditEntry, names: Names): string {
  const { target_type: type, target_id: id, details } = entry;
  if (!type || !id) return '—';
  const detail = (key: string) => (typeof details[key] === 'string' ? details[key] : undefined);
  switch (type) {
    case 'user': return `user ${names.users.get(id) ?? detail('username') ?? id}`;
    case 'project': return `project ${names.projects.get(id) ?? detail('name') ?? id}`;
    case 'api_key': return `API key ${detail('prefix') ?? id.slice(0, 8)}`;
    default: return `${type.replace(/_/g, ' ')} ${id.slice(0, 8)}`;
  }
}

/** The entry's details in one line (`role: owner, change: added`), empty when none. */
export function detailsText(entry: AuditEntry): string {
  return Object.entries(entry.details).filter(([, value]) => value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join('; ');
}

/** `login` -> `login`, `api_key_created` -> `api key created`. */
export function actionText(type: string): string {
  return type.replace(/_/g, ' ');
}
