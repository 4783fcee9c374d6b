import type { Migrations } from '@trellis/platform/postgres/migrate';
import { initial } from './migrations/0001_initial.js';
import { apiKeys } from './migrations/0002_api_keys.js';
import { projectValues } from './migrations/0003_project_values.js';
import { deployments } from './migrations/0004_deployments.js';
import { runs } from './migrations/0005_runs.js';
import { retention } from './migrations/0006_retention.js';
import { readNotices } from './migrations/0007_read_notices.js';
import { retries } from './migrations/0008_retries.js';
import { reruns } from './migrations/0009_reruns.js';
import { schedules } from './migrations/0010_schedules.js';
import { webhooks } from './migrations/0011_webhooks.js';
import { signals } from './migrations/0013_signals.js';
import { versionSites } from './migrations/0014_version_sites.js';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations: Migrations = {
  '0001_initial': initial,
  '0002_api_keys': apiKeys,
  '0003_project_values': projectValues,
  '0004_deployments': deployments,
  '0005_runs': runs,
  '0006_retention': retention,
  '0007_read_notices': readNotices,
  '0008_retries': retries,
  '0009_reruns': reruns,
  '0010_schedules': schedules,
  '0011_webhooks': webhooks,
  '0013_signals': signals,
  '0014_version_sites': versionSites,
};
