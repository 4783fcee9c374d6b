import type { Clock } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Values from '../domain/project-values.js';
import { projectNotKnown, type ProjectNotKnown } from './project-value-rejections.js';
import type { RunnerSealer, UnitOfWork, Vault } from './ports.js';

/** What binds a secret's value sealed at rest to its row: a sealed value copied onto another row does not open. */
export const secretContext = (projectId: string, name: string) => `project_secrets/${projectId}/${name}`;

/**
 * Creates or replaces a project secret. The value is kept only sealed with studio's key, and
 * travels only sealed for the runner (ProjectSecretSet, committed with the row): the runner
 * uses the new value from its next run on, without a redeploy.
 */
export async function setSecret(
  deps: { uow: UnitOfWork; clock: Clock; vault: Vault; sealer: RunnerSealer },
  input: { projectId: string; name: string; value: string; updatedBy: string; traceId: string },
): Promise<Result<{ secret: Values.Secret; created: boolean }, Values.SecretRejection | ProjectNotKnown>> {
  return deps.uow(async (tx) => {
    if ((await tx.projects.statusOf(input.projectId)) !== 'known') return rejected(projectNotKnown);
    const revision = await tx.revisions.next(input.projectId, input.name);
    const set = Values.setSecret({ ...input, revision, now: deps.clock() });
    if (!set.ok) return set;
    const secret = set.value;
    const created = (await tx.secrets.find(secret.projectId, secret.name)) === undefined;
    await tx.secrets.save(secret, deps.vault.seal(input.value, secretContext(secret.projectId, secret.name)));
    const forRunner = await deps.sealer.seal(input.value, { projectId: secret.projectId, name: secret.name });
    await tx.outbox.append([Values.secretSet(secret, forRunner)], input.traceId);
    return ok({ secret, created });
  });
}
