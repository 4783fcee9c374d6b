import * as ActorRules from '../domain/actor.js';
import * as Membership from '../domain/membership.js';
import { ok, rejected, type Result } from '../domain/result.js';
import type { Role } from '../domain/role.js';
import type { ProjectNotFound } from '../domain/session.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, RequestMeta, UnitOfWork } from './ports.js';
import { projectInScope, type Forbidden } from './project-scope.js';
import type { UserNotFound } from './update-user.js';

export type MemberChangeRejection = ProjectNotFound | Forbidden | UserNotFound | Membership.MembershipRejection;

/** A project owner (or an instance admin) adds a user to the project with a role. */
export async function addMember(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { actor: ActorRules.Actor; projectId: string; user: { id: string } | { username: string }; role: Role; meta: RequestMeta },
): Promise<Result<Membership.Membership, MemberChangeRejection>> {
  return deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const project = await projectInScope(tx, input.actor, input.projectId, 'owner', { adminMay: true });
    if (!project.ok) return project;
    const user = 'id' in input.user ? await tx.users.findById(input.user.id) : await tx.users.findByUsername(input.user.username);
    if (!user) return rejected({ type: 'UserNotFound', userId: 'id' in input.user ? input.user.id : input.user.username });
    const members = await tx.memberships.lockProject(input.projectId);
    const added = Membership.add(members, { projectId: input.projectId, userId: user.id, role: input.role, changedBy: ActorRules.idOf(input.actor), now });
    if (!added.ok) return added;
    const { membership, events } = added.value;
    if (!membership) throw new Error('adding a member yields a membership');
    await tx.memberships.upsert(membership);
    await tx.outbox.append(events);
    await tx.audit.record(auditEntry(input.meta, input.actor, now, {
      type: 'membership_changed', projectId: input.projectId, targetType: 'user', targetId: user.id, details: { role: input.role, change: 'added' },
    }));
    return ok(membership);
  });
}
