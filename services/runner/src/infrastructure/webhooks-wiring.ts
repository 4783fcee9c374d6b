import { makeOpener, makeSealer, publicKeyOf } from '@trellis/platform/crypto/sealed-box';
import type { ServiceRuntime } from '@trellis/platform/service-runtime';
import type { Env } from './config.js';
import type { WebhookRouteDeps } from './http/webhook-routes.js';
import type { Database } from './postgres/schema.js';
import { makeWebhookStore } from './postgres/webhook-store.js';
import { startWebhookDelivery } from './webhooks/delivery-job.js';
import { hostsOf } from './webhooks/url-guard.js';
import { makeWebhookSecrets } from './webhooks/webhook-secrets.js';

/**
 * Completion webhooks (docs/runner.md): the delivery loop of this process (stopped on shutdown)
 * and what the routes need. Secrets are sealed to the runner's own public key.
 */
export function wireWebhooks(runtime: ServiceRuntime<Database>, env: Env, deps: {
  getText: (object: string) => Promise<string>; runsPrefix: (projectId: string) => string; random?: () => number; pollMs?: number;
}): WebhookRouteDeps {
  const store = makeWebhookStore(runtime.db);
  const secrets = makeWebhookSecrets(store, { sealer: makeSealer(publicKeyOf(env.TRELLIS_SEALING_KEY)), opener: makeOpener(env.TRELLIS_SEALING_KEY) });
  const delivery = startWebhookDelivery({
    store, secrets, getText: deps.getText, runsPrefix: deps.runsPrefix, random: deps.random ?? Math.random,
    policy: {
      baseDelayMs: env.TRELLIS_WEBHOOK_RETRY_BASE_MS, maxDelayMs: env.TRELLIS_WEBHOOK_RETRY_MAX_MS,
      maxAttempts: env.TRELLIS_WEBHOOK_MAX_ATTEMPTS, maxAgeMs: env.TRELLIS_WEBHOOK_MAX_AGE_MS,
    },
    guard: {
      allowPrivate: env.TRELLIS_WEBHOOK_ALLOW_PRIVATE,
      platformHosts: hostsOf([env.TRELLIS_DATABASE_URL, env.TRELLIS_AMQP_URL, env.TRELLIS_S3_ENDPOINT, env.TRELLIS_AUTH_JWKS_URL]),
    },
    timeoutMs: env.TRELLIS_WEBHOOK_TIMEOUT_MS, connectionString: env.TRELLIS_DATABASE_URL,
    logger: runtime.logger.child({ component: 'webhooks' }), ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
  });
  runtime.lifecycle.onShutdown('webhook delivery', delivery.stop);
  return { store, secrets };
}
