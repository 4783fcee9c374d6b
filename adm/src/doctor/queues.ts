import { fail, ok, warn, type Check } from './check.js';
import type { BrokerAlarm } from './probes/rabbitmq.js';
import { countText, durationText } from './units.js';

/** A queue of the instance's vhost as the broker's management API lists it. */
export type QueueInfo = { readonly name: string; readonly messages: number; readonly consumers: number };

/** What a dead-lettered message says of itself (the platform's consumer writes the headers). */
export type DeadMessage = { readonly type?: string; readonly deadAt?: Date; readonly reason?: string };

/** More than this many messages waiting in a consumed queue is a backlog worth a warning. */
export const BACKLOG_WARNING = 1000;

export function isDeadLetterQueue(name: string): boolean {
  return DEAD.test(name);
}

const RETRY = /\.retry\.\d+ms$/;
const DEAD = /\.dead$/;

/** `trellis.<service>.<purpose>` (topology.ts): the service that consumes it. */
export function consumerOf(queue: string): string {
  return queue.split('.')[1] ?? queue;
}

/**
 * Each consumed queue's depth and consumers. A queue whose messages nobody takes fails; a quiet
 * one without consumer only warns (the service is stopped, nothing is lost yet); when no queue at
 * all has a consumer, that is one line: the platform is not running.
 */
export function judgeQueues(queues: readonly QueueInfo[], vhost: string): Check[] {
  const main = queues.filter((q) => !RETRY.test(q.name) && !DEAD.test(q.name));
  if (main.length === 0) return [fail('queue', vhost, 'no queues declared on the vhost', 'the services declare them when they migrate: `make up`')];
  const retrying = (name: string) => queues.filter((q) => q.name.startsWith(`${name}.retry.`)).reduce((sum, q) => sum + q.messages, 0);
  const idle = main.filter((q) => q.consumers === 0 && q.messages === 0);
  if (idle.length === main.length && main.every((q) => retrying(q.name) === 0)) {
    return [warn('queue', `every queue of ${vhost}`, `no consumer on any of the ${main.length} queues (nothing waiting)`, 'the services are not running: `trellis-adm status`, `make up`')];
  }
  return main.map((q) => {
    const waitingToRetry = retrying(q.name);
    const retryText = waitingToRetry > 0 ? `, ${waitingToRetry} waiting to retry` : '';
    const service = consumerOf(q.name);
    if (q.consumers === 0 && (q.messages > 0 || waitingToRetry > 0)) {
      return fail('queue', q.name, `${countText(q.messages, 'message')} waiting${retryText} and no consumer`, `is ${service} running? \`trellis-adm status\`, \`trellis-adm logs ${service}\``);
    }
    if (q.consumers === 0) return warn('queue', q.name, 'no consumer (nothing waiting)', `is ${service} running? \`trellis-adm status\``);
    const depth = `${countText(q.messages, 'message')} waiting${retryText}, ${countText(q.consumers, 'consumer')}`;
    if (q.messages > BACKLOG_WARNING) return warn('queue', q.name, `${depth}: a backlog`, `${service} is slower than what arrives; watch it shrink, see \`trellis-adm logs ${service}\``);
    return ok('queue', q.name, depth);
  });
}

/** Dead-letter queues that hold messages: how many, the oldest, which events and why. */
export function judgeDeadLetters(queues: readonly QueueInfo[], peeked: ReadonlyMap<string, readonly DeadMessage[]>, now: Date): Check[] {
  // The broker's counts lag up to its statistics interval (5 s); what was read off a queue is certain.
  const dead = queues.filter((q) => DEAD.test(q.name)).map((q) => ({ ...q, messages: Math.max(q.messages, peeked.get(q.name)?.length ?? 0) }));
  const holding = dead.filter((q) => q.messages > 0);
  if (holding.length === 0) return [ok('dead-letter', 'every queue', `no dead-lettered message (${countText(dead.length, 'dead-letter queue')})`)];
  return holding.map((q) => {
    const messages = peeked.get(q.name) ?? [];
    const times = messages.flatMap((m) => (m.deadAt ? [m.deadAt.getTime()] : []));
    const oldest = times.length > 0 ? `, oldest dead-lettered ${durationText(now.getTime() - Math.min(...times))} ago` : '';
    const types = new Map<string, number>();
    for (const m of messages) types.set(m.type ?? '(no type)', (types.get(m.type ?? '(no type)') ?? 0) + 1);
    const seen = messages.length < q.messages ? ` (of the first ${messages.length})` : '';
    const events = types.size > 0 ? `; events${seen}: ${[...types].map(([type, n]) => `${type} x${n}`).join(', ')}` : '';
    const reason = messages.find((m) => m.reason)?.reason?.slice(0, 200);
    return fail(
      'dead-letter',
      q.name,
      `${countText(q.messages, 'message')}${oldest}${events}${reason ? `; reason: ${reason}` : ''}`,
      `${consumerOf(q.name)} gave up on them; see docs/operations.md#dead-letters to read, replay or drop them`,
    );
  });
}

/** A memory or disk alarm blocks every publisher: the outboxes stop draining, runs stop reporting. */
export function judgeAlarms(alarms: readonly BrokerAlarm[]): Check {
  if (alarms.length === 0) return ok('broker', 'alarms', 'none (publishers are not blocked)');
  return fail(
    'broker',
    'alarms',
    `${alarms.map((a) => `${a.resource} alarm on ${a.node}`).join(', ')}: the broker blocks every publisher`,
    'free disk space or memory on the broker\'s machine (`rabbitmq-diagnostics alarms`); it unblocks by itself once below the limit',
  );
}
