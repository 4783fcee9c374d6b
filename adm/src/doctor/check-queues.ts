import { SERVICES } from '../catalog.js';
import { serviceEnv } from '../local/service-env.js';
import type { LocalSettings } from '../local/settings.js';
import { rabbitAdminFromEnv } from '../provision/rabbitmq.js';
import type { Secrets } from '../secrets.js';
import type { Findings } from './assemble.js';
import { fail } from './check.js';
import { firstLine } from './connection-problems.js';
import { countQueues, listQueues, peekMessages, readAlarms } from './probes/rabbitmq.js';
import { consumerOf, isDeadLetterQueue, judgeAlarms, judgeDeadLetters, judgeQueues, type QueueInfo } from './queues.js';

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

/** The broker's alarms, the vhost's queues and dead-letter queues, read through the management API as provisioning does. */
export async function checkQueues(settings: LocalSettings, secrets: Secrets, env: NodeJS.ProcessEnv, now: Date): Promise<Findings['queues']> {
  const admin = rabbitAdminFromEnv(env);
  try {
    const queues = await liveCounts(await listQueues(admin, settings.vhost), (service) => amqpUrlOf(settings, secrets, service));
    const alarms = judgeAlarms(await readAlarms(admin));
    const peeked = new Map(await Promise.all(queues.filter((q) => isDeadLetterQueue(q.name)).map(async (q) => [q.name, await peekMessages(admin, settings.vhost, q.name)] as const)));
    return { read: true, checks: [alarms, ...judgeQueues(queues, settings.vhost), ...judgeDeadLetters(queues, peeked, now)] };
  } catch (error) {
    return { read: false, problem: fail('queue', settings.vhost, `cannot read the queues: ${firstLine(error)}`, 'TRELLIS_RABBITMQ_MANAGEMENT_URL, TRELLIS_RABBITMQ_ADMIN_USER and TRELLIS_RABBITMQ_ADMIN_PASSWORD say where and as whom, as for provisioning') };
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
