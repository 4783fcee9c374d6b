import type { ProjectCreated } from './events.js';
import { ok, rejected, type Result } from './result.js';

export type Project = {
  readonly id: string;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: Date;
};

export type ProjectRejection =
  | { readonly type: 'InvalidProjectName'; readonly name: string; readonly reason: string }
  | { readonly type: 'ProjectNameTaken'; readonly name: string };

/** The project every instance starts with; its first owner is the admin. */
export const DEFAULT_PROJECT_NAME = 'default';

const namePattern = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** Project names appear in URLs (`/user-api/<project>/...`), so they are short lowercase slugs. */
export function checkName(name: string): string | undefined {
  if (name.length < 2 || name.length > 63) return 'must be 2 to 63 characters long';
  if (!namePattern.test(name)) return 'may hold only lowercase letters, digits and inner hyphens';
  return undefined;
}

export function create(input: {
  id: string;
  name: string;
  createdBy: string;
  now: Date;
}): Result<{ project: Project; events: [ProjectCreated] }, ProjectRejection> {
  const reason = checkName(input.name);
  if (reason) return rejected({ type: 'InvalidProjectName', name: input.name, reason });
  const project: Project = { id: input.id, name: input.name, createdBy: input.createdBy, createdAt: input.now };
  return ok({
    project,
    events: [{ type: 'ProjectCreated', projectId: project.id, name: project.name, createdBy: project.createdBy, occurredAt: input.now }],
  });
}
