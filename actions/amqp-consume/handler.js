// @ts-check
import amqp from 'amqplib';
import { ActionError } from './errors.js';
import { checkedAddress } from './network-guard.js';

/**
 * @typedef {{ url: string, username?: string, password?: string, queue: string, exchange?: string,
 *   routing_key?: string, prefetch?: number, declare?: boolean }} Inputs
 * @typedef {{ emit: (outputs: Record<string, unknown>) => Promise<void>, signal: AbortSignal,
 *   log: (...parts: unknown[]) => void }} TriggerContext
 */

/** How long a message whose run was refused waits before it goes back to the queue (no hot loop). */
const REQUEUE_DELAY_MS = 1000;

/**
 * Consumes `queue` until the trigger is stopped. Each message becomes one run; it is acknowledged
 * only once `context.emit` resolved (the runner stored the run), and put back on the queue when
 * the runner refused it, so the broker redelivers it: at least once, never lost.
 * A lost connection fails the trigger (the runner restarts it with backoff); the queue is durable,
 * so a restarted trigger picks up what arrived meanwhile and what was not yet acknowledged.
 *
 * @param {TriggerContext} context
 * @param {Inputs} inputs
 */
export async function run(context, inputs) {
  const options = connectionOptions(inputs);
  const queue = requireText(inputs.queue, 'queue');
  const host = /** @type {string} */ (options.hostname);
  // The network guard: connect to the address it checked; TLS still verifies the host's name.
  const address = await checkedAddress(host);
  const connection = await amqp.connect({ ...options, hostname: address }, { servername: host }).catch((error) => {
    throw new ActionError(`cannot connect to ${host}:${options.port}: ${error.message}`, 'connection_failed');
  });
  // amqplib throws an 'error' event nobody listens to; the 'close' that follows reports it.
  const lastError = { connection: '', channel: '' };
  connection.on('error', (error) => { lastError.connection = error.message; });
  try {
    const channel = await connection.createChannel();
    channel.on('error', (error) => { lastError.channel = error.message; });
    await prepareQueue(channel, queue, inputs);
    await channel.prefetch(inputs.prefetch ?? 16);
    await consumeUntilStopped(context, connection, channel, queue, lastError);
  } finally {
    // Unacknowledged messages go back to the queue when the connection closes.
    await connection.close().catch(() => {});
  }
}

/**
 * @param {Inputs} inputs
 * @returns {import('amqplib').Options.Connect}
 */
function connectionOptions(inputs) {
  let url;
  try {
    url = new URL(requireText(inputs.url, 'url'));
  } catch {
    throw new ActionError(`url "${inputs.url}" is not a URL; write amqp://host:5672/vhost`, 'bad_url');
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
    throw new ActionError(`url must start with amqp:// or amqps://, not ${url.protocol}//`, 'bad_url');
  }
  // A password in the URL would end up in logs and run records; it belongs in the password input.
  if (url.username || url.password) {
    throw new ActionError('url must not hold credentials: give them as username and password', 'credentials_in_url');
  }
  const tls = url.protocol === 'amqps:';
  return {
    protocol: tls ? 'amqps' : 'amqp',
    hostname: url.hostname,
    port: url.port ? Number(url.port) : tls ? 5671 : 5672,
    vhost: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/',
    username: inputs.username || 'guest',
    password: inputs.password ?? '',
    // Heartbeats notice a dead peer in about a minute instead of whenever TCP gives up.
    heartbeat: 30,
  };
}

/**
 * Asserts (or checks) the queue and binds it to the exchange when one is given.
 *
 * @param {import('amqplib').Channel} channel
 * @param {string} queue
 * @param {Inputs} inputs
 */
async function prepareQueue(channel, queue, inputs) {
  try {
    if (inputs.declare ?? true) await channel.assertQueue(queue, { durable: true });
    else await channel.checkQueue(queue);
  } catch (error) {
    throw new ActionError(`queue "${queue}" cannot be used: ${/** @type {Error} */ (error).message}`, 'queue_unavailable');
  }
  if (!inputs.exchange) return;
  try {
    await channel.bindQueue(queue, inputs.exchange, inputs.routing_key ?? '#');
  } catch (error) {
    throw new ActionError(`cannot bind queue "${queue}" to exchange "${inputs.exchange}" (does it exist?): ${/** @type {Error} */ (error).message}`, 'bind_failed');
  }
}

/**
 * Resolves when the trigger is stopped; rejects when the connection or the consumer is lost.
 *
 * @param {TriggerContext} context
 * @param {import('amqplib').ChannelModel} connection
 * @param {import('amqplib').Channel} channel
 * @param {string} queue
 * @param {{ connection: string, channel: string }} lastError
 */
function consumeUntilStopped(context, connection, channel, queue, lastError) {
  /** @type {Set<NodeJS.Timeout>} */
  const requeueTimers = new Set();
  return new Promise((resolve, reject) => {
    const stop = () => resolve(undefined);
    const lost = (/** @type {string} */ why) => reject(new ActionError(`lost the broker: ${why}`, 'connection_lost'));
    if (context.signal.aborted) return stop();
    context.signal.addEventListener('abort', stop, { once: true });
    connection.on('close', () => lost(lastError.connection || 'the connection closed'));
    channel.on('close', () => lost(lastError.channel || 'the channel closed'));

    /** @param {import('amqplib').ConsumeMessage | null} message */
    const onMessage = (message) => {
      // null: the broker cancelled the consumer (the queue was deleted).
      if (message === null) return lost(`the broker cancelled the consumer of "${queue}"`);
      Promise.resolve().then(() => context.emit(outputsOf(message))).then(
        () => settle(() => channel.ack(message)),
        (error) => {
          context.log(`run refused (${error?.code ?? 'error'}), message goes back to the queue: ${error?.message ?? error}`);
          // Stopping: closing the connection requeues it anyway.
          if (context.signal.aborted) return;
          const timer = setTimeout(() => {
            requeueTimers.delete(timer);
            settle(() => channel.nack(message, false, true));
          }, REQUEUE_DELAY_MS);
          requeueTimers.add(timer);
        },
      );
    };
    channel.consume(queue, onMessage, { noAck: false }).catch((error) => lost(error.message));
  }).finally(() => {
    for (const timer of requeueTimers) clearTimeout(timer);
  });

  /** An ack on a channel that closed meanwhile throws; the broker redelivers that message anyway. */
  function settle(/** @type {() => void} */ action) {
    try {
      action();
    } catch (error) {
      context.log(`could not settle a message (it will be redelivered): ${/** @type {Error} */ (error).message}`);
    }
  }
}

/**
 * @param {import('amqplib').ConsumeMessage} message
 * @returns {Record<string, unknown>}
 */
export function outputsOf(message) {
  const bodyText = message.content.toString('utf8');
  /** @type {Record<string, unknown>} */
  const outputs = {
    body_text: bodyText,
    headers: plainHeaders(message.properties.headers ?? {}),
    routing_key: message.fields.routingKey,
  };
  const json = parseJson(bodyText);
  if (json.ok) outputs.body_json = json.value;
  if (typeof message.properties.messageId === 'string') outputs.message_id = message.properties.messageId;
  return outputs;
}

/**
 * Headers as JSON can carry them: byte arrays become text, big numbers strings.
 *
 * @param {Record<string, unknown>} headers
 */
function plainHeaders(headers) {
  return JSON.parse(JSON.stringify(headers, (_key, value) => {
    if (value && value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data).toString('utf8');
    if (typeof value === 'bigint') return value.toString();
    return value;
  }));
}

/** @param {string} text */
function parseJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: undefined };
  }
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {string}
 */
function requireText(value, name) {
  if (typeof value !== 'string' || value.trim() === '') throw new ActionError(`${name} is required`, 'missing_input');
  return value;
}
