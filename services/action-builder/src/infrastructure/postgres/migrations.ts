import type { Migrations } from '@trellis/platform/postgres/migrate';
import { initial } from './migrations/0001_initial.js';
import { projectsAndApiKeys } from './migrations/0002_projects_and_api_keys.js';
import { builds } from './migrations/0003_builds.js';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations: Migrations = {
  '0001_initial': initial,
  '0002_projects_and_api_keys': projectsAndApiKeys,
  '0003_builds': builds,
};
