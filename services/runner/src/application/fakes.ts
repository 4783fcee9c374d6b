import type { KnownProject } from '../domain/project.js';
import type { KnownProjects } from './ports.js';

export function makeFakeProjects(): KnownProjects & { all: () => KnownProject[] } {
  const rows = new Map<string, KnownProject>();
  return {
    insertIfAbsent: async (project) => {
      if (rows.has(project.id)) return false;
      rows.set(project.id, project);
      return true;
    },
    all: () => [...rows.values()],
  };
}
