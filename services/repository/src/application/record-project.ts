import * as Project from '../domain/project.js';
import type { KnownProjects } from './ports.js';

export type ProjectRecording = { outcome: 'recorded' } | { outcome: 'ignored'; reason: 'already_recorded' | 'project_deleted' };

/**
 * Records a project announced by authorization. Recording it again changes nothing, and an
 * announcement that arrives after the project's deletion (a retried message) is ignored.
 */
export async function recordProject(deps: { projects: KnownProjects }, announcement: Project.ProjectAnnouncement): Promise<ProjectRecording> {
  if (await deps.projects.wasDeleted(announcement.projectId)) return { outcome: 'ignored', reason: 'project_deleted' };
  const inserted = await deps.projects.insertIfAbsent(Project.fromAnnouncement(announcement));
  return inserted ? { outcome: 'recorded' } : { outcome: 'ignored', reason: 'already_recorded' };
}
