import * as SigningKey from '../domain/signing-key.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, Ids, SigningKeyFactory, UnitOfWork } from './ports.js';
import type { Settings } from './settings.js';

export type RotationReport = { created: string | null; retired: readonly string[]; removed: readonly string[] };

/**
 * Keeps the signing keys on schedule: a new key when none is active or the active one is old,
 * the previous one retired (still published), and keys whose tokens have all expired removed.
 * Runs at start and periodically on every replica; a lock makes one of them do the work.
 */
export async function rotateSigningKeys(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids; keyFactory: SigningKeyFactory; settings: Settings },
  input: { traceId: string },
): Promise<RotationReport> {
  return deps.uow(input, async (tx) => {
    await tx.signingKeys.lock();
    const now = deps.clock();
    const plan = SigningKey.plan(await tx.signingKeys.list(), now, {
      rotationSeconds: deps.settings.signingKeyRotationSeconds,
      accessTokenTtlSeconds: deps.settings.accessTokenTtlSeconds,
      marginSeconds: deps.settings.signingKeyMarginSeconds,
    });
    let created: string | null = null;
    if (plan.retire.length > 0) await tx.signingKeys.retire(plan.retire, now);
    if (plan.create) {
      const key = await deps.keyFactory({ kid: deps.ids(), now });
      await tx.signingKeys.insert(key);
      created = key.kid;
    }
    if (plan.remove.length > 0) await tx.signingKeys.delete(plan.remove);
    if (created || plan.retire.length > 0 || plan.remove.length > 0) {
      await tx.audit.record(auditEntry({ traceId: input.traceId, clientIp: null }, null, now, {
        type: 'signing_key_rotated', targetType: 'signing_key', targetId: created,
        details: { retired: [...plan.retire], removed: [...plan.remove] },
      }));
    }
    return { created, retired: plan.retire, removed: plan.remove };
  });
}
