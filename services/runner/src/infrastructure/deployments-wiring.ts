import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { prepareDeployment } from '../application/prepare-deployment.js';
import { settleUndeployment, type RunsInFlight } from '../application/settle-undeployment.js';
import type { ActionSite } from '../application/site.js';
import { startDeploymentJob } from './deployment-job.js';
import type { Database } from './postgres/schema.js';
import { makeUnitOfWork } from './postgres/unit-of-work.js';
import { makeDeploymentHandlers } from './rabbitmq/deployment-handlers.js';
import type { ServiceRuntime } from '@trellis/platform/service-runtime';

/** How often an idle deployment job looks for work it was not told about (a request's commit wakes it at once). */
const DEPLOYMENT_POLL_MS = 10_000;

/**
 * Deployments on a running runner: the handlers of studio's requests and the durable job that
 * prepares what is left `deploying` and settles what is left `undeploying` (its runs in flight
 * waited for or canceled: stopped before the site it uses, since closers run in reverse).
 */
export function wireDeployments(runtime: ServiceRuntime<Database>, env: { TRELLIS_DATABASE_URL: string }, site: ActionSite, runs: RunsInFlight): {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler decodes its own message type
  handlers: Record<string, MessageHandler<Database, any>>;
} {
  const uow = makeUnitOfWork(runtime.db);
  const clock = () => new Date();
  const job = startDeploymentJob({
    uow, prepare: (target) => prepareDeployment({ uow, site, clock }, target), undeploy: (target) => settleUndeployment({ uow, site, clock, runs }, target),
    connectionString: env.TRELLIS_DATABASE_URL, logger: runtime.logger.child({ component: 'deployments' }), pollMs: DEPLOYMENT_POLL_MS,
  });
  runtime.lifecycle.onShutdown('deployment job', job.stop);
  return { handlers: makeDeploymentHandlers() };
}
