import * as ActorRules from '../domain/actor.js';
import * as Membership from '../domain/membership.js';
import { ok, type Result } from '../domain/result.js';
import type { MemberChangeRejection } from './add-member.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, RequestMeta, UnitOfWork } from './ports.js';
import { projectInScope } from './project-scope.js';

/** A project owner (or an instance admin) removes a member; the last owner cannot be removed. */
export async function removeMember(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { actor: ActorRules.Actor; projectId: string; userId: string; meta: RequestMeta },
): Promise<Result<void, MemberChangeRejection>> {
  return deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const project = await projectInScope(tx, input.actor, input.projectId, 'owner', { adminMay: true });
    if (!project.ok) return project;
    const members = await tx.memberships.lockProject(input.projectId);
    const removed = Membership.remove(members, { projectId: input.projectId, userId: input.userId, changedBy: ActorRules.idOf(input.actor), now });
    if (!removed.ok) return removed;
    await tx.memberships.delete(input.projectId, input.userId);
    await tx.outbox.append(removed.value.events);
    await tx.audit.record(auditEntry(input.meta, input.actor, now, {
      type: 'membership_changed', projectId: input.projectId, targetType: 'user', targetId: input.userId, details: { role: null, change: 'removed' },
    }));
    return ok(undefined);
  });
}
