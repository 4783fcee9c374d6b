import amqp from 'amqplib';

/*
 * A copy of every message published in a test vhost: one exclusive queue of our own bound with
 * `#` to every topic and fanout exchange (and, for direct exchanges, to each routing key already
 * bound there), read without acknowledgement, so the platform's own queues are untouched.
 */

const API = 'http://127.0.0.1:15672/api';
const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

export type Captured = { exchange: string; routingKey: string; properties: string; content: Buffer };

export type BrokerCapture = { messages: Captured[]; exchanges: string[]; rebind: () => Promise<void>; close: () => Promise<void> };

async function management<T>(path: string): Promise<T> {
  const response = await fetch(`${API}${path}`, { headers: { authorization: GUEST } });
  if (!response.ok) throw new Error(`RabbitMQ management API ${path}: ${response.status}`);
  return (await response.json()) as T;
}

export async function captureBroker(vhost: string, url: string): Promise<BrokerCapture> {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  const messages: Captured[] = [];
  const exchanges = new Set<string>();
  await channel.consume(queue, (message) => {
    if (!message) return;
    messages.push({ exchange: message.fields.exchange, routingKey: message.fields.routingKey, properties: JSON.stringify(message.properties), content: message.content });
  }, { noAck: true });

  /** Binds to every exchange of the vhost (exchanges declared since are bound on the next call). */
  const rebind = async () => {
    const list = await management<Array<{ name: string; type: string }>>(`/exchanges/${encodeURIComponent(vhost)}`);
    for (const exchange of list.filter((x) => x.name !== '' && !x.name.startsWith('amq.'))) {
      if (exchange.type === 'topic' || exchange.type === 'fanout' || exchange.type === 'headers') {
        await channel.bindQueue(queue, exchange.name, '#', exchange.type === 'headers' ? { 'x-match': 'any' } : {});
      } else {
        const bindings = await management<Array<{ routing_key: string }>>(`/exchanges/${encodeURIComponent(vhost)}/${encodeURIComponent(exchange.name)}/bindings/source`);
        for (const key of new Set(['#', ...bindings.map((b) => b.routing_key)])) await channel.bindQueue(queue, exchange.name, key);
      }
      exchanges.add(`${exchange.name} (${exchange.type})`);
    }
  };
  await rebind();
  return {
    messages,
    get exchanges() {
      return [...exchanges];
    },
    rebind,
    close: async () => {
      await channel.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}
