import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import type { RetentionStore } from '../postgres/retention.js';

const settingsSchema = z.object({
  retention_days: z.number().int().nullable().describe('The project\'s own retention of finished runs, in days (0 keeps them for ever); null: the runner\'s default'),
  default_retention_days: z.number().describe('TRELLIS_RUNNER_RETENTION_DAYS of the runner'),
  effective_retention_days: z.number().describe('What applies to the project\'s runs (0: kept for ever)'),
});

const settingsBody = z.object({
  retention_days: z.number().int().min(0).max(36_500).nullable().describe('Days a finished run is kept (0: for ever; null: the runner\'s default)'),
});

export type SettingsRouteDeps = { store: Pick<RetentionStore, 'retentionOf' | 'setRetention'>; defaultRetentionDays: number; clock: () => Date };

/** `/settings`: the project's runner settings (today its retention of finished runs); owners read and change them. */
export function makeSettingsRoutes(deps: SettingsRouteDeps): Route[] {
  const view = (days: number | null): z.infer<typeof settingsSchema> => ({
    retention_days: days, default_retention_days: deps.defaultRetentionDays, effective_retention_days: days ?? deps.defaultRetentionDays,
  });
  return [
    defineRoute({
      method: 'get', path: '/settings', operationId: 'runnerGetSettings', tags: ['settings'], access: projectRole('owner'),
      summary: 'The project\'s runner settings: how long its finished runs are kept',
      responses: { 200: { description: 'The settings', schema: settingsSchema } },
      handler: async ({ context }) => ({ status: 200, body: view(await deps.store.retentionOf(projectOf(context).projectId)) }),
    }),
    defineRoute({
      method: 'put', path: '/settings', operationId: 'runnerPutSettings', tags: ['settings'], access: projectRole('owner'),
      summary: 'Sets the project\'s runner settings',
      description: 'Finished runs older than the retention are deleted with their steps, attempts, logs and stored objects by an hourly pass.',
      body: settingsBody,
      responses: { 200: { description: 'The settings now', schema: settingsSchema } },
      handler: async ({ body, context }) => {
        await deps.store.setRetention(projectOf(context).projectId, body.retention_days, deps.clock());
        return { status: 200, body: view(body.retention_days) };
      },
    }),
  ];
}
