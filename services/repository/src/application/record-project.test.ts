import { describe, expect, it } from 'vitest';
import { makeFakeProjects } from './fakes.js';
import { recordProject } from './record-project.js';

describe('recordProject', () => {
  it('records an announced project once, whatever the number of announcements', async () => {
    const projects = makeFakeProjects();
    const announcement = { projectId: 'p1', name: 'default', occurredAt: new Date('2026-11-01T10:00:00Z') };
    expect(await recordProject({ projects }, announcement)).toEqual({ recorded: true });
    expect(await recordProject({ projects }, { ...announcement, name: 'renamed-in-a-replay' })).toEqual({ recorded: false });
    expect(projects.all()).toEqual([{ id: 'p1', name: 'default', createdAt: announcement.occurredAt }]);
  });
});
