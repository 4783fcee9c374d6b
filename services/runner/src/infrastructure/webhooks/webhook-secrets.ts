import type { Opener, Sealer } from '@trellis/platform/crypto/sealed-box';
import type { WebhookStore } from '../postgres/webhook-store.js';
import { newWebhookSecret } from './signature.js';

/** Binds a sealed secret to its project and workflow: copied onto another row, it does not open. */
const secretAad = (projectId: string, workflowId: string) => `trellis.webhook-secret.v1:${projectId}:${workflowId}`;

export type WebhookSecrets = {
  /** The workflow's signing secret, made the first time it is asked for (by the first delivery, or a developer reading it). */
  current: (projectId: string, workflowId: string) => Promise<string>;
  /** Replaces the secret with a new one: deliveries signed from now on use it. */
  rotate: (projectId: string, workflowId: string) => Promise<string>;
};

/** Secrets sealed to the runner's own public key (TRELLIS_SEALING_KEY opens them): never in clear at rest. */
export function makeWebhookSecrets(store: Pick<WebhookStore, 'sealedSecret' | 'addSecret' | 'replaceSecret'>, keys: { sealer: Sealer; opener: Opener }): WebhookSecrets {
  const sealed = async (projectId: string, workflowId: string, secret: string) =>
    ({ workflowId, projectId, sealed: await keys.sealer.seal(secret, secretAad(projectId, workflowId)), keyId: keys.sealer.keyId });
  const open = async (projectId: string, workflowId: string) => {
    const row = await store.sealedSecret(workflowId);
    if (!row) return undefined;
    if (row.project_id !== projectId) throw new Error(`the webhook secret of workflow ${workflowId} belongs to another project`);
    if (row.key_id !== keys.opener.keyId) throw new Error(`the webhook secret of workflow ${workflowId} was sealed to key ${row.key_id}, not this runner's ${keys.opener.keyId}: rotate it`);
    return keys.opener.open(row.sealed, secretAad(projectId, workflowId));
  };
  return {
    current: async (projectId, workflowId) => {
      const existing = await open(projectId, workflowId);
      if (existing !== undefined) return existing;
      await store.addSecret(await sealed(projectId, workflowId, newWebhookSecret()));
      const made = await open(projectId, workflowId);
      if (made === undefined) throw new Error(`the webhook secret of workflow ${workflowId} was not kept`);
      return made;
    },
    rotate: async (projectId, workflowId) => {
      const secret = newWebhookSecret();
      await store.replaceSecret(await sealed(projectId, workflowId, secret));
      return secret;
    },
  };
}
