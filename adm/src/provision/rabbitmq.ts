import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { exchangeOf, type ServiceName } from '../catalog.js';
import { rabbitPasswordMatches } from './password-hashes.js';

const run = promisify(execFile);

/** Where the broker's management HTTP API is, and an administrator's login for it. */
export type RabbitAdmin = { readonly apiUrl: string; readonly user: string; readonly password: string };

export function rabbitAdminFromEnv(env: NodeJS.ProcessEnv = process.env): RabbitAdmin {
  return {
    apiUrl: (env['TRELLIS_RABBITMQ_MANAGEMENT_URL'] ?? 'http://127.0.0.1:15672').replace(/\/+$/, ''),
    user: env['TRELLIS_RABBITMQ_ADMIN_USER'] ?? 'guest',
    password: env['TRELLIS_RABBITMQ_ADMIN_PASSWORD'] ?? 'guest',
  };
}

export type BrokerUser = { readonly service: ServiceName; readonly user: string; readonly password: string };

export type Permissions = { readonly configure: string; readonly write: string; readonly read: string };

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Least privilege on the vhost: a service configures (declares, deletes) only its own exchange
 * and queues `trellis.<svc>[.<anything>]`, writes (publishes, binds into) only those and the
 * default exchange (its retry path), and reads (consumes, binds from) its own queues and any
 * emitter's exchange `trellis.<emitter>`, whose names hold no dot.
 */
export function permissionsFor(service: ServiceName): Permissions {
  const own = escapeRegex(exchangeOf(service));
  return {
    configure: `^${own}(\\..+)?$`,
    write: `^(${own}(\\..+)?|amq\\.default)$`,
    read: `^(${own}\\..+|trellis\\.[a-z-]+)$`,
  };
}

type ManagementApi = {
  call: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: unknown }>;
  get: <T>(path: string) => Promise<T | undefined>;
};

function makeManagementApi(admin: RabbitAdmin): ManagementApi {
  const authorization = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
  const call: ManagementApi['call'] = async (method, path, body) => {
    const response = await fetch(`${admin.apiUrl}/api${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (response.status === 401) {
      throw new Error(`the RabbitMQ management API at ${admin.apiUrl} refused user "${admin.user}"; set TRELLIS_RABBITMQ_ADMIN_USER and TRELLIS_RABBITMQ_ADMIN_PASSWORD`);
    }
    if (!response.ok && response.status !== 404) {
      throw new Error(`RabbitMQ management API ${method} ${path} answered ${response.status}: ${text}`);
    }
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return {
    call,
    get: async <T>(path: string) => {
      const { status, json } = await call('GET', path);
      return status === 404 ? undefined : (json as T);
    },
  };
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

async function reachable(api: ManagementApi): Promise<boolean> {
  try {
    await api.call('GET', '/overview');
    return true;
  } catch (error) {
    if (error instanceof Error && /refused user/.test(error.message)) throw error;
    return false;
  }
}

/**
 * The management plugin serves the API that provisioning uses. On this machine's own broker,
 * enable it (online, no restart) when the API does not answer.
 */
export async function ensureManagementApi(admin: RabbitAdmin, log: (line: string) => void = () => undefined): Promise<void> {
  const api = makeManagementApi(admin);
  if (await reachable(api)) return;
  if (!isLoopback(admin.apiUrl)) {
    // Another host (compose, Kubernetes): the broker may still be starting; give it a minute.
    const deadline = Date.now() + 60_000;
    log(`waiting for the RabbitMQ management API at ${admin.apiUrl}`);
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (await reachable(api)) return;
    }
    throw new Error(`the RabbitMQ management API does not answer at ${admin.apiUrl} (TRELLIS_RABBITMQ_MANAGEMENT_URL)`);
  }
  log('enabling the RabbitMQ management plugin');
  try {
    await run('rabbitmq-plugins', ['enable', 'rabbitmq_management'], { timeout: 120_000 });
  } catch (error) {
    throw new Error(`the RabbitMQ management API does not answer at ${admin.apiUrl} and "rabbitmq-plugins enable rabbitmq_management" failed (is RabbitMQ running? are you root?)`, { cause: error });
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await reachable(api)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the RabbitMQ management API still does not answer at ${admin.apiUrl} after enabling the plugin`);
}

export type BrokerPlan = {
  readonly vhost: string;
  /** The vhost's description (the instance mark): kept, or put back when it differs. */
  readonly description?: string;
  readonly users: readonly BrokerUser[];
  /** Emitter exchanges to declare up front (durable topic), so consumers can bind in any start order. */
  readonly exchanges: readonly string[];
};

type UserInfo = { password_hash: string; hashing_algorithm: string; tags: string | string[] };
type ExchangeInfo = { type: string; durable: boolean; auto_delete: boolean; internal: boolean };

/**
 * The vhost, one user per service with least-privilege permissions, and the emitter exchanges.
 * Idempotent: what is already right is left alone (passwords are compared, not reset).
 */
export async function provisionRabbitmq(admin: RabbitAdmin, plan: BrokerPlan, log: (line: string) => void = () => undefined): Promise<{ changes: string[] }> {
  await ensureManagementApi(admin, log);
  const api = makeManagementApi(admin);
  const changes: string[] = [];
  const vhost = encodeURIComponent(plan.vhost);

  const foundVhost = await api.get<{ description?: string }>(`/vhosts/${vhost}`);
  if (!foundVhost) {
    await api.call('PUT', `/vhosts/${vhost}`, { description: plan.description ?? 'Trellis' });
    changes.push(`created vhost ${plan.vhost}`);
  } else if (plan.description !== undefined && (foundVhost.description ?? '') !== plan.description) {
    await api.call('PUT', `/vhosts/${vhost}`, { description: plan.description });
    changes.push(`marked vhost ${plan.vhost}`);
  }
  // The administrator declares the exchanges below, so it needs rights on the vhost too.
  await ensurePermissions(api, plan.vhost, admin.user, { configure: '.*', write: '.*', read: '.*' }, changes);

  for (const broker of plan.users) {
    const path = `/users/${encodeURIComponent(broker.user)}`;
    const found = await api.get<UserInfo>(path);
    const tags = found ? (Array.isArray(found.tags) ? found.tags.join(',') : found.tags) : '';
    if (!found || tags !== '' || !rabbitPasswordMatches(found.password_hash, found.hashing_algorithm, broker.password)) {
      // No tags: a service user cannot log in to the management UI or API.
      await api.call('PUT', path, { password: broker.password, tags: '' });
      changes.push(`${found ? 'updated' : 'created'} broker user ${broker.user}`);
    }
    await ensurePermissions(api, plan.vhost, broker.user, permissionsFor(broker.service), changes);
  }

  for (const exchange of plan.exchanges) {
    const path = `/exchanges/${vhost}/${encodeURIComponent(exchange)}`;
    const found = await api.get<ExchangeInfo>(path);
    if (!found) {
      await api.call('PUT', path, { type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} });
      changes.push(`declared exchange ${exchange}`);
    } else if (found.type !== 'topic' || !found.durable || found.auto_delete || found.internal) {
      throw new Error(`exchange ${exchange} on vhost ${plan.vhost} exists but is not a durable topic exchange; delete it and run again`);
    }
  }
  for (const change of changes) log(change);
  return { changes };
}

async function ensurePermissions(api: ManagementApi, vhost: string, user: string, wanted: Permissions, changes: string[]): Promise<void> {
  const path = `/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`;
  const found = await api.get<Permissions>(path);
  if (found?.configure === wanted.configure && found.write === wanted.write && found.read === wanted.read) return;
  await api.call('PUT', path, wanted);
  changes.push(`set permissions of ${user} on vhost ${vhost}`);
}

/** The vhost (with its description) and those of the users that exist. */
export async function findVhostAndUsers(
  admin: RabbitAdmin,
  names: { readonly vhost: string; readonly users: readonly string[] },
  log: (line: string) => void = () => undefined,
): Promise<{ vhost?: { name: string; description: string }; users: string[] }> {
  await ensureManagementApi(admin, log);
  const api = makeManagementApi(admin);
  const vhost = await api.get<{ description?: string }>(`/vhosts/${encodeURIComponent(names.vhost)}`);
  const users: string[] = [];
  for (const user of names.users) if (await api.get(`/users/${encodeURIComponent(user)}`)) users.push(user);
  return { ...(vhost ? { vhost: { name: names.vhost, description: vhost.description ?? '' } } : {}), users };
}

/** Deletes vhosts (their queues and exchanges go with them) and users; names that do not exist are skipped. */
export async function dropVhostsAndUsers(admin: RabbitAdmin, names: { readonly vhosts: readonly string[]; readonly users: readonly string[] }): Promise<void> {
  const api = makeManagementApi(admin);
  for (const vhost of names.vhosts) await api.call('DELETE', `/vhosts/${encodeURIComponent(vhost)}`);
  for (const user of names.users) await api.call('DELETE', `/users/${encodeURIComponent(user)}`);
}

/** Removes a vhost and users that provisionRabbitmq made (tests clean up with it). */
export async function dropRabbitmq(admin: RabbitAdmin, plan: BrokerPlan): Promise<void> {
  await dropVhostsAndUsers(admin, { vhosts: [plan.vhost], users: plan.users.map((u) => u.user) });
}
