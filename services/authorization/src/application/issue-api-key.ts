import * as ActorRules from '../domain/actor.js';
import * as ApiKey from '../domain/api-key.js';
import { ok, type Result } from '../domain/result.js';
import type { Role } from '../domain/role.js';
import type { ProjectNotFound } from '../domain/session.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, Ids, RequestMeta, Secrets, UnitOfWork } from './ports.js';
import { projectInScope, type Forbidden } from './project-scope.js';

export type IssuedApiKey = { apiKey: ApiKey.ApiKey; /** Shown once, in the answer; never stored. */ key: string };

/** A project owner creates an API key for the project; it is announced (by its hash) to every service. */
export async function issueApiKey(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids; secrets: Secrets },
  input: { actor: ActorRules.Actor; projectId: string; name: string; role: Role; expiresAt: Date | null; meta: RequestMeta },
): Promise<Result<IssuedApiKey, ProjectNotFound | Forbidden | ApiKey.ApiKeyRejection>> {
  return deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const project = await projectInScope(tx, input.actor, input.projectId, 'owner', { adminMay: false });
    if (!project.ok) return project;
    const secret = deps.secrets.apiKey();
    const issued = ApiKey.issue({
      id: deps.ids(), projectId: input.projectId, name: input.name, role: input.role, secret,
      createdBy: ActorRules.idOf(input.actor), expiresAt: input.expiresAt, now,
    });
    if (!issued.ok) return issued;
    const { apiKey, events } = issued.value;
    await tx.apiKeys.insert(apiKey);
    await tx.outbox.append(events);
    await tx.audit.record(auditEntry(input.meta, input.actor, now, {
      type: 'api_key_created', projectId: input.projectId, targetType: 'api_key', targetId: apiKey.id,
      details: { role: apiKey.role, prefix: apiKey.prefix },
    }));
    return ok({ apiKey, key: secret.key });
  });
}
