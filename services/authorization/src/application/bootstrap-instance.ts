import * as Project from '../domain/project.js';
import { ok, rejected, type Result } from '../domain/result.js';
import * as User from '../domain/user.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, Ids, PasswordHasher, UnitOfWork } from './ports.js';

export type BootstrapRejection = { readonly type: 'AdminPasswordMissing' } | User.PasswordRejection;

export type BootstrapReport = { adminCreated: boolean; defaultProjectCreated: boolean };

/**
 * Makes a new instance usable: the `admin` user (password given once, at first start) and
 * the `default` project owned by admin, in one transaction. An instance that has any user
 * has been bootstrapped: a later start changes nothing, even if admin or the default project
 * have since been deleted on purpose. Safe to run from several replicas at once.
 */
export async function bootstrapInstance(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids; hasher: PasswordHasher },
  input: { adminPassword: string | undefined; traceId: string },
): Promise<Result<BootstrapReport, BootstrapRejection>> {
  const context = { traceId: input.traceId };
  const unchanged = ok({ adminCreated: false, defaultProjectCreated: false });
  if (await deps.uow(context, (tx) => tx.users.exists())) return unchanged;
  if (!input.adminPassword) return rejected({ type: 'AdminPasswordMissing' });
  const weak = User.checkPassword(User.ADMIN_USERNAME, input.adminPassword);
  if (weak) return rejected(weak);
  const passwordHash = await deps.hasher.hash(input.adminPassword);

  return deps.uow(context, async (tx) => {
    const now = deps.clock();
    const admin = User.makeAdmin({ id: deps.ids(), passwordHash, now });
    if (!(await tx.users.insertIfUsernameFree(admin))) return unchanged; // another replica got there first
    const meta = { traceId: input.traceId, clientIp: null };
    await tx.audit.record(auditEntry(meta, null, now, { type: 'user_created', targetType: 'user', targetId: admin.id, details: { bootstrap: true } }));
    const created = Project.create({ id: deps.ids(), name: Project.DEFAULT_PROJECT_NAME, createdBy: admin.id, now });
    if (!created.ok) throw new Error(`default project rejected: ${created.error.type}`);
    const { project, events } = created.value;
    if (!(await tx.projects.insertIfNameFree(project))) return ok({ adminCreated: true, defaultProjectCreated: false });
    await tx.memberships.upsert({ projectId: project.id, userId: admin.id, role: 'owner', createdAt: now });
    await tx.outbox.append(events);
    await tx.audit.record(auditEntry(meta, null, now, { type: 'project_created', projectId: project.id, targetType: 'project', targetId: project.id, details: { bootstrap: true } }));
    return ok({ adminCreated: true, defaultProjectCreated: true });
  });
}
