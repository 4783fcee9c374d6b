import * as ActorRules from '../domain/actor.js';
import * as Membership from '../domain/membership.js';
import { ok, type Result } from '../domain/result.js';
import type { Role } from '../domain/role.js';
import type { MemberChangeRejection } from './add-member.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, RequestMeta, UnitOfWork } from './ports.js';
import { projectInScope } from './project-scope.js';

/** A project owner (or an instance admin) changes a member's role; the last owner stays an owner. */
export async function changeMemberRole(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { actor: ActorRules.Actor; projectId: string; userId: string; role: Role; meta: RequestMeta },
): Promise<Result<Membership.Membership, MemberChangeRejection>> {
  return deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const project = await projectInScope(tx, input.actor, input.projectId, 'owner', { adminMay: true });
    if (!project.ok) return project;
    const members = await tx.memberships.lockProject(input.projectId);
    const changed = Membership.changeRole(members, { projectId: input.projectId, userId: input.userId, role: input.role, changedBy: ActorRules.idOf(input.actor), now });
    if (!changed.ok) return changed;
    const { membership, events } = changed.value;
    if (!membership) throw new Error('changing a role yields a membership');
    await tx.memberships.upsert(membership);
    await tx.outbox.append(events);
    await tx.audit.record(auditEntry(input.meta, input.actor, now, {
      type: 'membership_changed', projectId: input.projectId, targetType: 'user', targetId: input.userId, details: { role: input.role, change: 'role_changed' },
    }));
    return ok(membership);
  });
}
