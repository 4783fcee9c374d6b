import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';

/** Publishes to an exchange as an outbox relay does; pass the same `messageId` twice to deliver a duplicate. */
export async function publishMessage(url: string, message: {
  exchange: string;
  type: string;
  content: Uint8Array;
  messageId?: string;
  contentType?: string;
  headers?: Record<string, unknown>;
  /** Overrides any property, e.g. `{ messageId: undefined }` to send a message without an id. */
  properties?: amqp.Options.Publish;
}): Promise<{ messageId: string }> {
  const messageId = message.messageId ?? randomUUID();
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await new Promise<void>((resolve, reject) =>
      channel.publish(message.exchange, message.type, Buffer.from(message.content), {
        messageId, type: message.type, contentType: message.contentType ?? 'application/x-protobuf', persistent: true,
        headers: { 'x-trace-id': `trace-${messageId}`, ...message.headers },
        ...message.properties,
      }, (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve())),
    );
  } finally {
    await connection.close();
  }
  return { messageId };
}

/** Reads (and removes) every message waiting in a queue. */
export async function drainQueue(url: string, queue: string): Promise<amqp.GetMessage[]> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const messages: amqp.GetMessage[] = [];
    for (let message = await channel.get(queue, { noAck: true }); message; message = await channel.get(queue, { noAck: true })) messages.push(message);
    return messages;
  } finally {
    await connection.close();
  }
}
