import * as Project from '../domain/project.js';
import type { KnownProjects } from './ports.js';

/** Records a project announced by authorization; recording it again changes nothing. */
export async function recordProject(
  deps: { projects: KnownProjects },
  announcement: Project.ProjectAnnouncement,
): Promise<{ recorded: boolean }> {
  return { recorded: await deps.projects.insertIfAbsent(Project.fromAnnouncement(announcement)) };
}
