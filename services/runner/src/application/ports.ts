import type { KnownProject } from '../domain/project.js';

export type KnownProjects = {
  /** False when the project was already recorded (a redelivery or a replay). */
  insertIfAbsent: (project: KnownProject) => Promise<boolean>;
};
