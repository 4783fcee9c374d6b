import type { Migrations } from '@trellis/platform/postgres/migrate';
import { initial } from './migrations/0001_initial.js';
import { apiKeys } from './migrations/0002_api_keys.js';
import { library } from './migrations/0003_library.js';
import { projectValues } from './migrations/0004_project_values.js';
import { workflows } from './migrations/0005_workflows.js';
import { files } from './migrations/0006_files.js';
import { actionImages } from './migrations/0007_action_images.js';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations: Migrations = {
  '0001_initial': initial,
  '0002_api_keys': apiKeys,
  '0003_library': library,
  '0004_project_values': projectValues,
  '0005_workflows': workflows,
  '0006_files': files,
  '0007_action_images': actionImages,
};
