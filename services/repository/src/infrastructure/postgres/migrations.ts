import type { Migrations } from '@trellis/platform/postgres/migrate';
import { initial } from './migrations/0001_initial.js';
import { apiKeys } from './migrations/0002_api_keys.js';
import { sourcesScansBuilds } from './migrations/0003_sources_scans_builds.js';
import { managedSources } from './migrations/0004_managed_sources.js';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations: Migrations = {
  '0001_initial': initial,
  '0002_api_keys': apiKeys,
  '0003_sources_scans_builds': sourcesScansBuilds,
  '0004_managed_sources': managedSources,
};
