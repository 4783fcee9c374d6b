// @ts-check
import { AckPolicy, DeliverPolicy, connect, nanos } from 'nats';
import { ActionError } from './errors.js';
import { checkedAddress } from './network-guard.js';

/**
 * @typedef {{ servers: string, username?: string, password?: string, subject: string, jetstream?: boolean,
 *   stream?: string, durable?: string, start?: 'new' | 'beginning', ack_wait_seconds?: number }} Inputs
 * @typedef {{ emit: (outputs: Record<string, unknown>) => Promise<void>, signal: AbortSignal,
 *   log: (...parts: unknown[]) => void }} TriggerContext
 * @typedef {import('nats').NatsConnection} NatsConnection
 * @typedef {import('nats').MsgHdrs | undefined} Headers
 */

/** How long after a refused run the server sends its message again. */
const REDELIVERY_DELAY_MS = 1000;
/** Messages pulled ahead of the one being turned into a run. */
const PULL_BATCH = 8;

/**
 * Reads `subject` until the trigger is stopped, one run per message.
 * JetStream: through the durable consumer `durable` of `stream` (created when missing); a message
 * is acknowledged only after `context.emit` resolved, and negatively acknowledged (sent again a
 * second later) when the run was refused, so none is lost and a restart resumes at the consumer.
 * Core NATS (jetstream off) has no acknowledgements: a message is gone once delivered.
 * The client reconnects by itself, forever, every 2 s; a connection closed for good fails the
 * trigger (the runner restarts it).
 *
 * @param {TriggerContext} context
 * @param {Inputs} inputs
 */
export async function run(context, inputs) {
  const settings = settingsOf(inputs);
  const nc = await connect({
    servers: await Promise.all(settings.servers.map(guardedServer)),
    // The servers a cluster announces would bypass the network guard: only the given ones are used.
    ignoreClusterUpdates: true,
    ...(inputs.username ? { user: inputs.username } : {}),
    ...(inputs.password ? { pass: inputs.password } : {}),
    name: 'trellis-nats-subscribe',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 2000,
  }).catch((error) => {
    throw new ActionError(`cannot connect to ${settings.servers.join(', ')}: ${error.message}`, 'connection_failed');
  });
  try {
    const consuming = settings.jetstream ? consumeJetStream(context, nc, settings) : consumeCore(context, nc, settings);
    const lost = nc.closed().then((error) => {
      if (!context.signal.aborted) throw new ActionError(`the connection closed: ${error ? error.message : 'by the server'}`, 'connection_lost');
    });
    lost.catch(() => {});
    await Promise.race([consuming, lost]);
  } finally {
    // drain: acknowledgements still buffered reach the server before the connection closes.
    if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}

/**
 * Checks the server's host with the network guard. The client connects by name (so TLS can verify
 * it), which leaves a DNS answer that changes after the check unguarded; the other triggers
 * connect to the checked address itself.
 *
 * @param {string} server
 */
async function guardedServer(server) {
  const url = new URL(server.includes('://') ? server : `nats://${server}`);
  await checkedAddress(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  return server;
}

/** @param {Inputs} inputs */
function settingsOf(inputs) {
  const servers = requireText(inputs.servers, 'servers').split(',').map((server) => server.trim()).filter(Boolean);
  for (const server of servers) {
    if (/^[a-z]+:\/\/[^/]*@/i.test(server)) throw new ActionError('servers must not hold credentials: give them as username and password', 'credentials_in_url');
  }
  const jetstream = inputs.jetstream ?? true;
  if (jetstream && !inputs.stream) throw new ActionError('stream is required with jetstream on (the stream that stores the subject)', 'missing_input');
  const ackWaitSeconds = inputs.ack_wait_seconds ?? 30;
  if (!Number.isInteger(ackWaitSeconds) || ackWaitSeconds < 1) throw new ActionError('ack_wait_seconds must be a whole number of at least 1', 'bad_input');
  return {
    servers,
    subject: requireText(inputs.subject, 'subject'),
    jetstream,
    stream: inputs.stream ?? '',
    durable: inputs.durable || 'trellis',
    fromBeginning: inputs.start === 'beginning',
    ackWaitSeconds,
  };
}

/**
 * @param {TriggerContext} context
 * @param {NatsConnection} nc
 * @param {ReturnType<typeof settingsOf>} settings
 */
async function consumeJetStream(context, nc, settings) {
  await ensureConsumer(context, nc, settings);
  const consumer = await nc.jetstream().consumers.get(settings.stream, settings.durable);
  const messages = await consumer.consume({ max_messages: PULL_BATCH });
  const stop = () => messages.stop();
  if (context.signal.aborted) stop();
  context.signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const message of messages) {
      // Keeps the server from sending the message again while the runner takes its time to answer.
      const working = setInterval(() => message.working(), (settings.ackWaitSeconds * 1000) / 3);
      try {
        await context.emit(outputsOf(message.subject, message.data, message.headers, message.seq));
      } catch (error) {
        const reason = /** @type {{ code?: string, message?: string }} */ (error);
        context.log(`run refused (${reason?.code ?? 'error'}); the message is sent again: ${reason?.message ?? error}`);
        message.nak(REDELIVERY_DELAY_MS);
        continue;
      } finally {
        clearInterval(working);
      }
      // ackAck waits for the server's confirmation: a stop right after cannot lose the acknowledgement.
      await message.ackAck().catch((error) => context.log(`acknowledgement not confirmed (the message may come again): ${error.message}`));
    }
  } finally {
    context.signal.removeEventListener('abort', stop);
  }
}

/**
 * Creates the durable consumer when missing; an existing one keeps its position and settings.
 *
 * @param {TriggerContext} context
 * @param {NatsConnection} nc
 * @param {ReturnType<typeof settingsOf>} settings
 */
async function ensureConsumer(context, nc, settings) {
  let jsm;
  try {
    jsm = await nc.jetstreamManager();
  } catch (error) {
    throw new ActionError(`JetStream is not available on this server (${/** @type {Error} */ (error).message}); turn jetstream off for plain NATS`, 'jetstream_unavailable');
  }
  try {
    const info = await jsm.consumers.info(settings.stream, settings.durable);
    if (info.config.filter_subject && info.config.filter_subject !== settings.subject) {
      context.log(`durable consumer "${settings.durable}" reads "${info.config.filter_subject}", not "${settings.subject}"; it is used as it is (delete it or choose another durable name to change it)`);
    }
    return;
  } catch (error) {
    const api = /** @type {{ api_error?: { err_code?: number, description?: string } }} */ (error).api_error;
    if (api?.err_code === 10059) throw new ActionError(`stream "${settings.stream}" does not exist; create it for "${settings.subject}" first`, 'stream_not_found');
    if (api?.err_code !== 10014) throw error; // 10014: consumer not found, made below
  }
  await jsm.consumers.add(settings.stream, {
    durable_name: settings.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: settings.fromBeginning ? DeliverPolicy.All : DeliverPolicy.New,
    filter_subject: settings.subject,
    ack_wait: nanos(settings.ackWaitSeconds * 1000),
  });
}

/**
 * Plain NATS: at most once, a message that arrives while nobody listens is not kept anywhere.
 *
 * @param {TriggerContext} context
 * @param {NatsConnection} nc
 * @param {ReturnType<typeof settingsOf>} settings
 */
async function consumeCore(context, nc, settings) {
  const subscription = nc.subscribe(settings.subject);
  const stop = () => subscription.unsubscribe();
  if (context.signal.aborted) stop();
  context.signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const message of subscription) {
      await context.emit(outputsOf(message.subject, message.data, message.headers, undefined)).catch((error) => {
        context.log(`run refused (${error?.code ?? 'error'}); plain NATS cannot send it again, the message is lost: ${error?.message ?? error}`);
      });
    }
  } finally {
    context.signal.removeEventListener('abort', stop);
  }
}

/**
 * @param {string} subject
 * @param {Uint8Array} data
 * @param {Headers} headers
 * @param {number | undefined} sequence
 */
function outputsOf(subject, data, headers, sequence) {
  const text = Buffer.from(data).toString('utf8');
  /** @type {Record<string, unknown>} */
  const outputs = { subject, data_text: text, headers: headersOf(headers) };
  try {
    outputs.data_json = JSON.parse(text);
  } catch {
    // Not JSON: data_text alone.
  }
  if (sequence !== undefined) outputs.sequence = sequence;
  return outputs;
}

/** @param {Headers} headers */
function headersOf(headers) {
  /** @type {Record<string, string>} */
  const plain = {};
  if (!headers) return plain;
  for (const name of headers.keys()) plain[name] = headers.values(name).join(', ');
  return plain;
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
