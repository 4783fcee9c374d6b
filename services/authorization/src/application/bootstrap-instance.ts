import { DEFAULT_PROJECT_NAME } from '../domain/project.js';
import { ok, rejected, type Result } from '../domain/result.js';
import * as User from '../domain/user.js';
import { createProject } from './create-project.js';
import type { Clock, Ids, PasswordHasher, UnitOfWork } from './ports.js';

export type BootstrapRejection = { readonly type: 'AdminPasswordMissing' } | User.PasswordRejection;

export type BootstrapReport = { adminCreated: boolean; defaultProjectCreated: boolean };

/**
 * Makes a new instance usable: the `admin` user (password given once, at first start) and
 * the `default` project owned by admin. Safe to run at every start and from several replicas.
 */
export async function bootstrapInstance(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids; hasher: PasswordHasher },
  input: { adminPassword: string | undefined; traceId: string },
): Promise<Result<BootstrapReport, BootstrapRejection>> {
  const context = { traceId: input.traceId };
  let admin = await deps.uow(context, (tx) => tx.users.findByUsername(User.ADMIN_USERNAME));
  let adminCreated = false;
  if (!admin) {
    if (!input.adminPassword) return rejected({ type: 'AdminPasswordMissing' });
    const weak = User.checkPassword(User.ADMIN_USERNAME, input.adminPassword);
    if (weak) return rejected(weak);
    const candidate = User.makeAdmin({ id: deps.ids(), passwordHash: await deps.hasher.hash(input.adminPassword), now: deps.clock() });
    adminCreated = await deps.uow(context, (tx) => tx.users.insertIfUsernameFree(candidate));
    admin = adminCreated ? candidate : await deps.uow(context, (tx) => tx.users.findByUsername(User.ADMIN_USERNAME));
    if (!admin) throw new Error('admin user vanished while bootstrapping');
  }
  const existing = await deps.uow(context, (tx) => tx.projects.findByName(DEFAULT_PROJECT_NAME));
  if (existing) return ok({ adminCreated, defaultProjectCreated: false });
  const created = await createProject(deps, { name: DEFAULT_PROJECT_NAME, createdBy: admin.id, traceId: input.traceId });
  if (!created.ok && created.error.type !== 'ProjectNameTaken') throw new Error(`default project rejected: ${created.error.type}`);
  return ok({ adminCreated, defaultProjectCreated: created.ok });
}
