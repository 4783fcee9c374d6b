import { accountOf, type ServiceInfo } from '../catalog.js';
import { serviceEnv } from '../local/service-env.js';
import type { LocalSettings } from '../local/settings.js';
import type { Secrets } from '../secrets.js';
import type { ServiceFindings } from './assemble.js';
import { judgeBuilds } from './builds.js';
import { fail, ok, type Check } from './check.js';
import { explainConnectionError, firstLine } from './connection-problems.js';
import { judgeOutbox } from './outbox.js';
import { connectAsService, readOpenBuilds, readOrphanRuns, readOutboxBacklog } from './probes/postgres.js';
import { pingBroker } from './probes/rabbitmq.js';
import { judgeRuns } from './runs.js';
import type { ServiceTimes } from './service-times.js';

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
      data.push(fail(check, service.name, `cannot read: ${firstLine(error)}`, 'is its database migrated? `make up` migrates every service'));
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

/** One service as it would connect: its database (and what it holds) and its broker login, at the same time. */
export async function checkService(settings: LocalSettings, secrets: Secrets, service: ServiceInfo, times: ServiceTimes, now: Date): Promise<ServiceFindings> {
  let env: Record<string, string>;
  try {
    env = serviceEnv(settings, secrets, service, undefined);
  } catch (error) {
    const notChecked = (check: string) => fail(check, service.name, `not checked: its settings cannot be made (${firstLine(error)})`, 'see the keys lines above');
    return { service: service.name, database: notChecked('database'), broker: notChecked('broker'), data: [] };
  }
  const account = accountOf(settings.namePrefix, service.name);
  const [content, broker] = await Promise.all([
    checkDatabaseContent(service, env['TRELLIS_DATABASE_URL'] ?? '', `${settings.pgHost}:${settings.pgPort}`, account, times, now),
    checkBroker(service, env['TRELLIS_AMQP_URL'] ?? '', `${settings.amqpHost}:${settings.amqpPort}`, account),
  ]);
  return { service: service.name, database: content.database, broker, data: content.data };
}
