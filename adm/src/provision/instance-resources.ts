import { SERVICES, accountOf } from '../catalog.js';
import { parseMark } from '../instance/instance.js';
import type { FoundResource } from '../instance/ownership.js';
import { dropDatabasesAndRoles, findDatabasesAndRoles, type PostgresAdmin } from './postgres.js';
import { dropVhostsAndUsers, findVhostAndUsers, type RabbitAdmin } from './rabbitmq.js';

export type Admins = { readonly postgres: PostgresAdmin; readonly rabbitmq: RabbitAdmin };

/** Every server-side name of an instance: a database, role and broker user per service, and the vhost. */
export function resourceNames(name: string): { databases: string[]; roles: string[]; vhost: string; users: string[] } {
  const accounts = SERVICES.map((s) => accountOf(name, s.name));
  return { databases: accounts, roles: accounts, vhost: name, users: accounts };
}

/** What exists of an instance's databases, roles, vhost and broker users, with the marks they carry. */
export async function findInstanceResources(admins: Admins, name: string, log: (line: string) => void = () => undefined): Promise<FoundResource[]> {
  const names = resourceNames(name);
  const postgres = await findDatabasesAndRoles(admins.postgres, names);
  const broker = await findVhostAndUsers(admins.rabbitmq, names, log);
  const marked = (kind: FoundResource['kind'], found: string, comment: string | null): FoundResource => {
    const mark = parseMark(comment);
    return mark ? { kind, name: found, mark } : { kind, name: found };
  };
  return [
    ...postgres.databases.map((d) => marked('database', d.name, d.comment)),
    ...postgres.roles.map((r) => marked('role', r.name, r.comment)),
    ...(broker.vhost ? [marked('vhost', broker.vhost.name, broker.vhost.description)] : []),
    ...broker.users.map((user): FoundResource => ({ kind: 'broker user', name: user })),
  ];
}

/** Drops the given resources: databases (their connections closed) before roles, the vhost (with its queues) before users. */
export async function dropInstanceResources(admins: Admins, found: readonly FoundResource[]): Promise<void> {
  const of = (kind: FoundResource['kind']) => found.filter((r) => r.kind === kind).map((r) => r.name);
  await dropDatabasesAndRoles(admins.postgres, { databases: of('database'), roles: of('role') });
  await dropVhostsAndUsers(admins.rabbitmq, { vhosts: of('vhost'), users: of('broker user') });
}

/** "5 databases, 5 roles, 1 vhost, 5 broker users" */
export function countResources(found: readonly FoundResource[]): string {
  const kinds: [FoundResource['kind'], string, string][] = [
    ['database', 'database', 'databases'],
    ['role', 'role', 'roles'],
    ['vhost', 'vhost', 'vhosts'],
    ['broker user', 'broker user', 'broker users'],
  ];
  return kinds
    .map(([kind, one, many]) => [found.filter((r) => r.kind === kind).length, one, many] as const)
    .filter(([n]) => n > 0)
    .map(([n, one, many]) => `${n} ${n === 1 ? one : many}`)
    .join(', ');
}
