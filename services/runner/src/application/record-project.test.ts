import { describe, expect, it } from 'vitest';
import { makeFakeProjects } from './fakes.js';
import { recordProject } from './record-project.js';

const announcement = { projectId: 'p1', name: 'default', occurredAt: new Date('2026-11-01T10:00:00Z') };

describe('recordProject', () => {
  it('records an announced project once, whatever the number of announcements', async () => {
    const projects = makeFakeProjects();
    expect(await recordProject({ projects }, announcement)).toEqual({ outcome: 'recorded' });
    expect(await recordProject({ projects }, { ...announcement, name: 'renamed-in-a-replay' })).toEqual({ outcome: 'ignored', reason: 'already_recorded' });
    expect(projects.all()).toEqual([{ id: 'p1', name: 'default', createdAt: announcement.occurredAt }]);
  });

  it('does not bring back a project deleted before its announcement arrived', async () => {
    const projects = makeFakeProjects();
    await projects.forget('p1', new Date('2026-11-01T10:05:00Z'));
    expect(await recordProject({ projects }, announcement)).toEqual({ outcome: 'ignored', reason: 'project_deleted' });
    expect(projects.all()).toEqual([]);
  });
});
