import type { MembershipChanged } from './events.js';
import { ok, rejected, type Result } from './result.js';
import type { Role } from './role.js';

export type Membership = {
  readonly projectId: string;
  readonly userId: string;
  readonly role: Role;
  readonly createdAt: Date;
};

export type MembershipRejection =
  | { readonly type: 'AlreadyMember'; readonly userId: string }
  | { readonly type: 'MemberNotFound'; readonly userId: string }
  | { readonly type: 'LastOwner'; readonly userId: string };

export type MembershipChange = { membership: Membership | null; events: [MembershipChanged] };

/** A project keeps at least one owner, or nobody but an instance admin could manage it again. */
function leavesNoOwner(members: readonly Membership[], userId: string, role: Role | null): boolean {
  const target = members.find((m) => m.userId === userId);
  if (target?.role !== 'owner' || role === 'owner') return false;
  return !members.some((m) => m.userId !== userId && m.role === 'owner');
}

/**
 * `members` are the project's memberships, read under a lock so that two concurrent changes
 * cannot both remove "the other" owner.
 */
export function add(
  members: readonly Membership[],
  input: { projectId: string; userId: string; role: Role; changedBy: string; now: Date },
): Result<MembershipChange, MembershipRejection> {
  if (members.some((m) => m.userId === input.userId)) return rejected({ type: 'AlreadyMember', userId: input.userId });
  const membership: Membership = { projectId: input.projectId, userId: input.userId, role: input.role, createdAt: input.now };
  return ok({ membership, events: [changed(input, input.role)] });
}

export function changeRole(
  members: readonly Membership[],
  input: { projectId: string; userId: string; role: Role; changedBy: string; now: Date },
): Result<MembershipChange, MembershipRejection> {
  const current = members.find((m) => m.userId === input.userId);
  if (!current) return rejected({ type: 'MemberNotFound', userId: input.userId });
  if (leavesNoOwner(members, input.userId, input.role)) return rejected({ type: 'LastOwner', userId: input.userId });
  return ok({ membership: { ...current, role: input.role }, events: [changed(input, input.role)] });
}

export function remove(
  members: readonly Membership[],
  input: { projectId: string; userId: string; changedBy: string; now: Date },
): Result<MembershipChange, MembershipRejection> {
  if (!members.some((m) => m.userId === input.userId)) return rejected({ type: 'MemberNotFound', userId: input.userId });
  if (leavesNoOwner(members, input.userId, null)) return rejected({ type: 'LastOwner', userId: input.userId });
  return ok({ membership: null, events: [changed(input, null)] });
}

function changed(input: { projectId: string; userId: string; changedBy: string; now: Date }, role: Role | null): MembershipChanged {
  return { type: 'MembershipChanged', projectId: input.projectId, userId: input.userId, role, changedBy: input.changedBy, occurredAt: input.now };
}
