import type { Kysely } from 'kysely';
import type { Route } from '@trellis/platform/http/route';
import type { SiteStats } from '../../application/site.js';
import { makeDeploymentQueries } from '../postgres/deployment-queries.js';
import { makeRunQueries } from '../postgres/run-queries.js';
import type { Database } from '../postgres/schema.js';
import { makeDeploymentRoutes, type DeploymentRouteDeps } from './deployment-routes.js';
import { makeManualRunRoutes, type ManualRunDeps } from './manual-runs.js';
import { makeReplayRoutes } from './replay-routes.js';
import { makeRunRoutes, type RunRouteDeps } from './run-routes.js';
import { makeRetentionStore } from '../postgres/retention.js';
import { makeSettingsRoutes } from './settings-routes.js';
import { makeWebhookRoutes, type WebhookRouteDeps } from './webhook-routes.js';

export const BASE_PATH = '/runner';

/** The routes of the runner: deployments (runs, logs, results and the /user-api triggers arrive with their pieces); `/project` comes with tenancy. */
export function makeRoutes(deps: {
  db: Kysely<Database>; siteStats?: () => readonly SiteStats[]; siteScaleToZero?: DeploymentRouteDeps['scaleToZero']; triggerStatus?: DeploymentRouteDeps['triggerStatus']; runs?: Omit<RunRouteDeps, 'queries'> & { uploads: ManualRunDeps['uploads'] }; defaultRetentionDays?: number;
  webhooks?: WebhookRouteDeps;
}): Route[] {
  return [
    ...makeDeploymentRoutes({
      queries: makeDeploymentQueries(deps.db), stats: deps.siteStats ?? (() => []), ...(deps.siteScaleToZero ? { scaleToZero: deps.siteScaleToZero } : {}),
      ...(deps.triggerStatus ? { triggerStatus: deps.triggerStatus } : {}),
    }),
    ...(deps.runs ? makeRunRoutes({ ...deps.runs, queries: makeRunQueries(deps.db) }) : []),
    ...(deps.runs ? makeManualRunRoutes({ queries: makeRunQueries(deps.db), engine: deps.runs.engine, uploads: deps.runs.uploads }) : []),
    ...(deps.runs ? makeReplayRoutes({
      queries: makeRunQueries(deps.db), getText: deps.runs.getText, runsPrefix: deps.runs.runsPrefix, downloadUrl: deps.runs.answers.downloadUrl,
    }) : []),
    ...(deps.defaultRetentionDays !== undefined
      ? makeSettingsRoutes({ store: makeRetentionStore(deps.db), defaultRetentionDays: deps.defaultRetentionDays, clock: () => new Date() })
      : []),
    ...(deps.webhooks ? makeWebhookRoutes(deps.webhooks) : []),
  ];
}
