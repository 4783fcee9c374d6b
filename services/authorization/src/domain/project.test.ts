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
        project: { id: 'p1', name: 'default', createdBy: 'u1', createdAt: now },
        events: [{ type: 'ProjectCreated', projectId: 'p1', name: 'default', createdBy: 'u1', occurredAt: now }],
      },
    });
  });
});
