import { describe, expect, it } from 'vitest';
import * as Project from './project.js';

const now = new Date('2026-11-01T10:00:00Z');

describe('Project.create', () => {
  it.each([
    ['default', undefined],
    ['ml-team-2', undefined],
    ['a', 'must be 2 to 63 characters long'],
    ['x'.repeat(64), 'must be 2 to 63 characters long'],
    ['Default', 'may hold only lowercase letters, digits and inner hyphens'],
    ['-edge', 'may hold only lowercase letters, digits and inner hyphens'],
    ['edge-', 'may hold only lowercase letters, digits and inner hyphens'],
    ['with space', 'may hold only lowercase letters, digits and inner hyphens'],
    ['ünï', 'may hold only lowercase letters, digits and inner hyphens'],
  ])('name %j -> %s', (name, reason) => {
    const result = Project.create({ id: 'p1', name, createdBy: 'u1', now });
    if (reason === undefined) {
      expect(result.ok).toBe(true);
    } else {
      expect(result).toEqual({ ok: false, error: { type: 'InvalidProjectName', name, reason } });
    }
  });

  it('returns the project and exactly one ProjectCreated event', () => {
    const result = Project.create({ id: 'p1', name: 'default', createdBy: 'u1', now });
    expect(result).toEqual({
      ok: true,
      value: {
        project: { id: 'p1', name: 'default', title: null, createdBy: 'u1', createdAt: now },
        events: [{ type: 'ProjectCreated', projectId: 'p1', name: 'default', createdBy: 'u1', occurredAt: now }],
      },
    });
  });
});

describe('Project titles', () => {
  const project = { id: 'p1', name: 'ml', title: null, createdBy: 'u1', createdAt: now };

  it.each([
    ['Machine learning', 'Machine learning'],
    ['  padded  ', 'padded'],
    [null, null],
  ])('accepts %j', (title, stored) => {
    expect(Project.retitle(project, title)).toEqual({ ok: true, value: { ...project, title: stored } });
  });

  it.each([[''], ['x'.repeat(201)], ['tab\there']])('refuses %j', (title) => {
    expect(Project.retitle(project, title)).toMatchObject({ ok: false, error: { type: 'InvalidProjectTitle' } });
    expect(Project.create({ id: 'p1', name: 'ml', title, createdBy: 'u1', now })).toMatchObject({ ok: false, error: { type: 'InvalidProjectTitle' } });
  });

  it('announces a deletion with who did it', () => {
    expect(Project.remove(project, { deletedBy: 'a1', now })).toEqual({ events: [{ type: 'ProjectDeleted', projectId: 'p1', deletedBy: 'a1', occurredAt: now }] });
  });
});
