import type { ProjectCreated, ProjectDeleted } from './events.js';
import { ok, rejected, type Result } from './result.js';

export type Project = {
  readonly id: string;
  /** The slug other services know the project by (it appears in URLs); it never changes. */
  readonly name: string;
  /** What people read; free text, changeable. */
  readonly title: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
};

export type ProjectRejection =
  | { readonly type: 'InvalidProjectName'; readonly name: string; readonly reason: string }
  | { readonly type: 'InvalidProjectTitle'; readonly reason: string }
  | { readonly type: 'ProjectNameTaken'; readonly name: string };

/** The project every instance starts with; its first owner is the admin. */
export const DEFAULT_PROJECT_NAME = 'default';

const namePattern = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const controlCharacters = /[\u0000-\u001f\u007f]/;

/** Project names appear in URLs (`/user-api/<project>/...`), so they are short lowercase slugs. */
export function checkName(name: string): string | undefined {
  if (name.length < 2 || name.length > 63) return 'must be 2 to 63 characters long';
  if (!namePattern.test(name)) return 'may hold only lowercase letters, digits and inner hyphens';
  return undefined;
}

export function checkTitle(title: string | null): string | undefined {
  if (title === null) return undefined;
  if (title.trim().length === 0 || [...title].length > 200) return 'must be 1 to 200 characters long';
  if (controlCharacters.test(title)) return 'may not hold control characters';
  return undefined;
}

export function create(input: {
  id: string;
  name: string;
  title?: string | null | undefined;
  createdBy: string;
  now: Date;
}): Result<{ project: Project; events: [ProjectCreated] }, ProjectRejection> {
  const reason = checkName(input.name);
  if (reason) return rejected({ type: 'InvalidProjectName', name: input.name, reason });
  const title = input.title ?? null;
  const titleReason = checkTitle(title);
  if (titleReason) return rejected({ type: 'InvalidProjectTitle', reason: titleReason });
  const project: Project = { id: input.id, name: input.name, title: title?.trim() ?? null, createdBy: input.createdBy, createdAt: input.now };
  return ok({
    project,
    events: [{ type: 'ProjectCreated', projectId: project.id, name: project.name, createdBy: project.createdBy, occurredAt: input.now }],
  });
}

/**
 * Renaming changes the title only. The slug was announced in ProjectCreated and other
 * services route by it; the event contract has no rename, so changing it would split Trellis.
 */
export function retitle(project: Project, title: string | null): Result<Project, ProjectRejection> {
  const reason = checkTitle(title);
  if (reason) return rejected({ type: 'InvalidProjectTitle', reason });
  return ok({ ...project, title: title?.trim() ?? null });
}

export function remove(project: Project, input: { deletedBy: string; now: Date }): { events: [ProjectDeleted] } {
  return { events: [{ type: 'ProjectDeleted', projectId: project.id, deletedBy: input.deletedBy, occurredAt: input.now }] };
}
