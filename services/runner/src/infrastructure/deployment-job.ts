import type { Logger } from '@trellis/platform/logger';
import { listenForNotifications } from '@trellis/platform/postgres/listener';
import { startWokenLoop } from '@trellis/platform/woken-loop';
import type { UnitOfWork } from '../application/ports.js';
import type { PreparationOutcome } from '../application/prepare-deployment.js';
import type { UndeploymentSettled } from '../application/settle-undeployment.js';
import { DEPLOYMENTS_CHANNEL } from './postgres/deployment-repository.js';

export type DeploymentJobOptions = {
  uow: UnitOfWork;
  /** prepareDeployment, bound to the site. */
  prepare: (target: { workflowId: string; deploymentId: string }) => Promise<{ outcome: PreparationOutcome }>;
  /** settleUndeployment, bound to the engine's runs in flight and the site. */
  undeploy: (target: { workflowId: string; deploymentId: string }) => Promise<UndeploymentSettled>;
  /** For the LISTEN connection that wakes the job when a deployment is saved `deploying` or `undeploying`. */
  connectionString: string;
  logger: Logger;
  /** The slow fallback: how often an idle job looks for work nobody told it about (a preparation that failed on the world). */
  pollMs: number;
  /** How long stopping waits for the preparations in flight (default 5 s). */
  stopGraceMs?: number;
};

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

type Target = { workflowId: string; deploymentId: string };

/**
 * The durable background job of deployments: every deployment left `deploying` (just requested,
 * or left so by a stopped or crashed process: the first pass runs at start) is prepared, and
 * every one left `undeploying` has its runs in flight waited for or canceled and is answered,
 * several at once, each once per process at a time. Woken by NOTIFY when a request commits; otherwise
 * it looks every `pollMs`. Another replica preparing the same deployment is harmless: the site's
 * prepare is idempotent and only the first end is recorded. A preparation that throws stays
 * `deploying` and is tried again on the next pass.
 */
export function startDeploymentJob(options: DeploymentJobOptions): { stop: () => Promise<void>; wake: () => void } {
  const { logger } = options;
  const running = new Map<string, Promise<void>>();

  function start(target: Target, work: (log: Logger, started: number) => Promise<void>, status: 'deploying' | 'undeploying'): void {
    const key = `${target.workflowId}/${target.deploymentId}`;
    if (running.has(key)) return;
    const log = logger.child({ workflow_id: target.workflowId, deployment_id: target.deploymentId });
    const started = Date.now();
    running.set(key, (async () => {
      try {
        await work(log, started);
      } catch (error) {
        log.warn(`deployment work stopped on an error; it stays ${status} and is tried again`, { error: describe(error), duration_ms: Date.now() - started });
      } finally {
        running.delete(key);
      }
    })());
  }

  const prepare = (target: Target) => start(target, async (log, started) => {
    const { outcome } = await options.prepare(target);
    log.info('deployment prepared', { outcome, duration_ms: Date.now() - started });
  }, 'deploying');

  const undeploy = (target: Target) => start(target, async (log, started) => {
    const settled = await options.undeploy(target);
    const fields = { ...settled, duration_ms: Date.now() - started };
    if (settled.outcome === 'undeployed' && settled.mode === 'graceful' && settled.canceled > 0) {
      log.warn('graceful undeploy: runs still in flight when the wait ended were canceled', fields);
    } else {
      log.info('undeployment settled', fields);
    }
  }, 'undeploying');

  const loop = startWokenLoop({
    pollMs: options.pollMs,
    backoff: { baseMs: 200, maxMs: 10_000 },
    onError: (error, retryInMs) => logger.warn('deployment job cannot read its deployments; retrying', { error: describe(error), retry_in_ms: retryInMs }),
    step: async () => {
      const [deploying, undeploying] = await options.uow(async (tx) => Promise.all([tx.deployments.deploying(), tx.deployments.undeploying()]));
      for (const target of deploying) prepare(target);
      for (const target of undeploying) undeploy(target);
    },
  });
  const listener = listenForNotifications({ connectionString: options.connectionString, channel: DEPLOYMENTS_CHANNEL, onNotify: loop.wake, logger });

  return {
    wake: loop.wake,
    stop: async () => {
      await listener.close();
      await loop.stop();
      // Work in flight gets a moment to end; what it leaves `deploying` or `undeploying` is taken up again at the next start.
      const grace = new Promise<void>((resolve) => setTimeout(resolve, options.stopGraceMs ?? 5000).unref());
      await Promise.race([Promise.allSettled(running.values()), grace]);
    },
  };
}
