import { SERVICES, accountOf, type ServiceInfo } from '../catalog.js';
import { objectStoreEndpoint, serviceEnv } from '../local/service-env.js';
import { runningSupervisor } from '../local/supervisor-control.js';
import type { LocalSettings } from '../local/settings.js';
import { rabbitAdminFromEnv } from '../provision/rabbitmq.js';
import type { Secrets } from '../secrets.js';
import { assemble, type Findings, type ServiceFindings } from './assemble.js';
import { judgeBuilds, type BuilderTimes } from './builds.js';
import { fail, ok, warn, type Check } from './check.js';
import { explainConnectionError } from './connection-problems.js';
import { readInstanceState } from './instance-state.js';
import { judgeKeys } from './keys.js';
import { judgeOutbox } from './outbox.js';
import { judgePlatform } from './platform.js';
import { connectAsService, readOpenBuilds, readOrphanRuns, readOutboxBacklog } from './probes/postgres.js';
import { countQueues, listQueues, peekMessages, pingBroker } from './probes/rabbitmq.js';
import { measureBucket, measureDisk } from './probes/object-store.js';
import { consumerOf, isDeadLetterQueue, judgeDeadLetters, judgeQueues, type QueueInfo } from './queues.js';
import { judgeRuns } from './runs.js';
import { judgeBucket, judgeDisk } from './storage.js';
import { durationText } from './units.js';

/** The services' own timing settings, read from the same variables they read (their defaults otherwise). */
export type ServiceTimes = { readonly runnerLeaseMs: number; readonly builder: BuilderTimes };

function millisFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name]);
  return env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
}

export function serviceTimesFromEnv(env: NodeJS.ProcessEnv): ServiceTimes {
  return {
    runnerLeaseMs: millisFrom(env, 'TRELLIS_RUNNER_LEASE_MS', 10_000),
    builder: {
      leaseMs: millisFrom(env, 'TRELLIS_BUILD_LEASE_MS', 30_000),
      pollMs: millisFrom(env, 'TRELLIS_BUILD_POLL_MS', 10_000),
      timeoutMs: millisFrom(env, 'TRELLIS_BUILD_TIMEOUT_MS', 15 * 60_000),
    },
  };
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 300) ?? '';

/** Its database's findings: the outbox of every service, the runner's stuck runs, the builder's stuck builds. */
async function checkDatabaseContent(service: ServiceInfo, url: string, where: string, account: string, times: ServiceTimes, now: Date): Promise<{ database: Check; data: Check[] }> {
  let connection;
  try {
    connection = await connectAsService(url);
  } catch (error) {
    const { detail, hint } = explainConnectionError('database', error, where, account);
    return { database: fail('database', service.name, detail, hint), data: [] };
  }
  const { client, ms } = connection;
  const data: Check[] = [];
  const read = async (check: string, work: () => Promise<Check>) => {
    try {
      data.push(await work());
    } catch (error) {
      data.push(fail(check, service.name, `cannot read: ${describe(error)}`, 'is its database migrated? `make up` migrates every service'));
    }
  };
  try {
    await read('outbox', async () => judgeOutbox(service.name, await readOutboxBacklog(client), now));
    if (service.name === 'runner') await read('runs', async () => judgeRuns(await readOrphanRuns(client, times.runnerLeaseMs), now));
    if (service.name === 'action-builder') {
      await read('builds', async () => {
        const { open, lastStartedAt } = await readOpenBuilds(client);
        return judgeBuilds(open, lastStartedAt, times.builder, now);
      });
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return { database: ok('database', service.name, `reachable (${ms} ms)`), data };
}

async function checkBroker(service: ServiceInfo, url: string, where: string, account: string): Promise<Check> {
  try {
    return ok('broker', service.name, `reachable (${await pingBroker(url)} ms)`);
  } catch (error) {
    const { detail, hint } = explainConnectionError('broker', error, where, account);
    return fail('broker', service.name, detail, hint);
  }
}

async function checkService(settings: LocalSettings, secrets: Secrets, service: ServiceInfo, times: ServiceTimes, now: Date): Promise<ServiceFindings> {
  let env: Record<string, string>;
  try {
    env = serviceEnv(settings, secrets, service, undefined);
  } catch (error) {
    const notChecked = (check: string) => fail(check, service.name, `not checked: its settings cannot be made (${describe(error)})`, 'see the keys lines above');
    return { service: service.name, database: notChecked('database'), broker: notChecked('broker'), data: [] };
  }
  const account = accountOf(settings.namePrefix, service.name);
  const [content, broker] = await Promise.all([
    checkDatabaseContent(service, env['TRELLIS_DATABASE_URL'] ?? '', `${settings.pgHost}:${settings.pgPort}`, account, times, now),
    checkBroker(service, env['TRELLIS_AMQP_URL'] ?? '', `${settings.amqpHost}:${settings.amqpPort}`, account),
  ]);
  return { service: service.name, database: content.database, broker, data: content.data };
}

/** The management API's counts, replaced by the broker's own where the owning service may read them (they lag otherwise). */
async function liveCounts(queues: readonly QueueInfo[], amqpUrlOf: (service: string) => string | undefined): Promise<QueueInfo[]> {
  const byService = new Map<string, string[]>();
  for (const q of queues) byService.set(consumerOf(q.name), [...(byService.get(consumerOf(q.name)) ?? []), q.name]);
  const live = new Map<string, { messages: number; consumers: number }>();
  await Promise.all([...byService].map(async ([service, names]) => {
    const url = amqpUrlOf(service);
    if (!url) return;
    try {
      for (const [name, count] of await countQueues(url, names)) live.set(name, count);
    } catch {
      // The broker refuses this service: its own line says so, and the management API's counts stand.
    }
  }));
  return queues.map((q) => ({ ...q, ...live.get(q.name) }));
}

async function checkQueues(settings: LocalSettings, env: NodeJS.ProcessEnv, amqpUrlOf: (service: string) => string | undefined, now: Date): Promise<Findings['queues']> {
  const admin = rabbitAdminFromEnv(env);
  try {
    const queues = await liveCounts(await listQueues(admin, settings.vhost), amqpUrlOf);
    const peeked = new Map(await Promise.all(queues.filter((q) => isDeadLetterQueue(q.name)).map(async (q) => [q.name, await peekMessages(admin, settings.vhost, q.name)] as const)));
    return { read: true, checks: [...judgeQueues(queues, settings.vhost), ...judgeDeadLetters(queues, peeked, now)] };
  } catch (error) {
    return { read: false, problem: fail('queue', settings.vhost, `cannot read the queues: ${describe(error)}`, 'TRELLIS_RABBITMQ_MANAGEMENT_URL, TRELLIS_RABBITMQ_ADMIN_USER and TRELLIS_RABBITMQ_ADMIN_PASSWORD say where and as whom, as for provisioning') };
  }
}

function amqpUrlOf(settings: LocalSettings, secrets: Secrets, service: string): string | undefined {
  const info = SERVICES.find((s) => s.name === service);
  try {
    return info ? serviceEnv(settings, secrets, info, undefined)['TRELLIS_AMQP_URL'] : undefined;
  } catch {
    return undefined;
  }
}

/** `platformUp`: the supervisor runs, and with it the local object store (stopped, it cannot answer: that is no failure of its own). */
async function checkStorage(settings: LocalSettings, secrets: Secrets, platformUp: boolean): Promise<Check[]> {
  const endpoint = objectStoreEndpoint(settings);
  const config = { endpoint, accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region };
  const [bucket, disk] = await Promise.all([
    measureBucket(config).then(judgeBucket, (error: unknown) => {
      const code = (error as { code?: string }).code;
      if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT') {
        if (!platformUp) return warn('object-store', settings.bucket, `not measured: no answer at ${endpoint}, the platform is stopped`, '`make up` starts it');
        return fail('object-store', settings.bucket, `no answer at ${endpoint}`, 'the object store runs in the platform\'s supervisor: `trellis-adm status`, `trellis-adm logs object-store`');
      }
      return fail('object-store', settings.bucket, describe(error), code === 'NoSuchBucket' ? '`trellis-adm provision` or `make up` makes it' : 'TRELLIS_S3_* in .trellis/secrets.env must be the store\'s keys');
    }),
    measureDisk(settings.paths.dir).then(judgeDisk, (error: unknown) => fail('disk', settings.paths.dir, describe(error))),
  ]);
  return [bucket, disk];
}

/** Every check of a local instance, in reading order. Never throws for a failure it can describe. */
export async function runDoctor(settings: LocalSettings, env: NodeJS.ProcessEnv, now = new Date()): Promise<Check[]> {
  const state = readInstanceState(settings, env);
  if (state.kind === 'none') return [fail('instance', settings.instanceName, state.reason, '`make up` sets one up here; TRELLIS_STATE_DIR=<dir> points to another')];
  const { instance } = state;
  const instanceCheck = ok('instance', instance.name, `id ${instance.id}, ${instance.stateDir}, provisioned ${durationText(now.getTime() - Date.parse(instance.provisionedAt ?? ''))} ago`);
  const keys = judgeKeys(state.keys, instance.secretKeyCheck, settings.paths.secretsFile);
  const { secrets } = state;
  if (!secrets) {
    return [instanceCheck, ...keys, fail('instance', settings.paths.secretsFile, `lacks ${state.missing.join(', ')}: nothing else can be checked`, 'put them back from your backup; `make up` would make new ones, which the databases and broker do not know')];
  }
  const times = serviceTimesFromEnv(env);
  const supervisor = runningSupervisor(settings.paths.stateFile);
  const [services, queues, storage] = await Promise.all([
    Promise.all(SERVICES.map((service) => checkService(settings, secrets, service, times, now))),
    checkQueues(settings, env, (service) => amqpUrlOf(settings, secrets, service), now),
    checkStorage(settings, secrets, supervisor !== undefined),
  ]);
  return assemble({ instance: instanceCheck, platform: judgePlatform(supervisor, now), keys, services, queues, storage });
}
