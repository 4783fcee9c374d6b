// @ts-check
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { ActionError } from './errors.js';
import { checkedAddress } from './network-guard.js';

/**
 * @typedef {{ url: string, username?: string, password?: string, topic: string, client_id?: string }} Inputs
 * @typedef {{ emit: (outputs: Record<string, unknown>) => Promise<void>, signal: AbortSignal,
 *   log: (...parts: unknown[]) => void }} TriggerContext
 * @typedef {{ kind: 'stopped' } | { kind: 'refused' } | { kind: 'failed', error: ActionError }
 *   | { kind: 'lost', connected: boolean, reason: string }} SessionEnd
 */

/** How long the broker keeps the session (and queues messages for it) while the trigger is away. */
const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;
/** After this many failed reconnections in a row the trigger fails, and the runner takes over. */
const MAX_RECONNECTS = 10;

/**
 * Subscribes to `topic` with QoS 1 in a persistent session (clean start off, a session that
 * outlives the connection), so the broker queues what arrives while the trigger is stopped.
 * Each message becomes one run and is confirmed (PUBACK) only after `context.emit` resolved.
 * MQTT has no "negative acknowledgement": when a run is refused, the trigger drops the
 * connection without confirming, and the broker sends the unconfirmed message again when the
 * trigger reconnects (a second later). A lost connection is retried with backoff (1 s to 30 s);
 * after 10 failures in a row the trigger fails and the runner restarts it.
 *
 * @param {TriggerContext} context
 * @param {Inputs} inputs
 */
export async function run(context, inputs) {
  const settings = settingsOf(inputs);
  // The network guard: connect to the address it checked; TLS still verifies the host's name.
  const address = await checkedAddress(settings.hostname);
  let everConnected = false;
  for (let failures = 0; !context.signal.aborted;) {
    const end = await runSession(context, settings, address);
    if (end.kind === 'stopped') return;
    if (end.kind === 'failed') throw end.error;
    if (end.kind === 'refused') {
      failures = 0;
      await pause(1000, context.signal);
      continue;
    }
    if (end.connected) {
      everConnected = true;
      failures = 0;
    }
    // A first connection that fails is a mistake in the inputs more often than an outage: say so now.
    if (!everConnected) throw new ActionError(`cannot connect to ${settings.host}: ${end.reason}`, 'connection_failed');
    if (++failures > MAX_RECONNECTS) throw new ActionError(`lost the broker ${settings.host}: ${end.reason}`, 'connection_lost');
    const delay = Math.min(1000 * 2 ** (failures - 1), 30_000);
    context.log(`connection to ${settings.host} lost (${end.reason}); reconnecting in ${delay} ms`);
    await pause(delay, context.signal);
  }
}

/** @param {Inputs} inputs */
function settingsOf(inputs) {
  const url = requireText(inputs.url, 'url');
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new ActionError(`url "${url}" is not a URL; write mqtt://host:1883`, 'bad_url');
  }
  if (!['mqtt:', 'mqtts:'].includes(parsed.protocol)) throw new ActionError(`url must start with mqtt:// or mqtts://, not ${parsed.protocol}//`, 'bad_url');
  if (parsed.username || parsed.password) throw new ActionError('url must not hold credentials: give them as username and password', 'credentials_in_url');
  const topic = requireText(inputs.topic, 'topic');
  // Stable across restarts, so the broker finds the session again; another workflow on the same
  // topic gets the same default and would take the session over: give it its own client_id.
  const derived = `trellis-${createHash('sha256').update(`${url}\n${inputs.username ?? ''}\n${topic}`).digest('hex').slice(0, 15)}`;
  return { url, host: parsed.host, hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), topic, username: inputs.username, password: inputs.password, clientId: inputs.client_id || derived };
}

/**
 * One connection, from connect to its end.
 *
 * @param {TriggerContext} context
 * @param {ReturnType<typeof settingsOf>} settings
 * @param {string} address the host's address, checked by the network guard
 * @returns {Promise<SessionEnd>}
 */
function runSession(context, settings, address) {
  return new Promise((resolve) => {
    let connected = false;
    let lastError = '';
    /** @type {SessionEnd | null} */
    let ended = null;
    const client = mqtt.connect(settings.url, {
      host: address,
      hostname: address,
      servername: settings.hostname,
      clientId: settings.clientId,
      ...(settings.username ? { username: settings.username } : {}),
      ...(settings.password ? { password: settings.password } : {}),
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_SECONDS },
      // Reconnection is ours (above): a refused run must end the connection for good.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      customHandleAcks: (topic, payload, packet, confirm) => {
        if (ended) return; // this connection is being dropped: the broker sends the message again
        Promise.resolve()
          .then(() => context.emit(outputsOf(topic, payload, packet.retain)))
          .then(
            () => {
              if (!ended) confirm(0);
            },
            (error) => {
              context.log(`run refused (${error?.code ?? 'error'}); the broker will send the message again: ${error?.message ?? error}`);
              finish({ kind: 'refused' });
            },
          );
      },
    });
    const finish = (/** @type {SessionEnd} */ end) => {
      if (ended) return;
      ended = end;
      context.signal.removeEventListener('abort', stop);
      // Not forced: a PUBACK already written reaches the broker before the DISCONNECT.
      client.end(false, {}, () => resolve(end));
    };
    const stop = () => finish({ kind: 'stopped' });
    if (context.signal.aborted) return stop();
    context.signal.addEventListener('abort', stop, { once: true });
    client.on('error', (error) => { lastError = error.message; });
    client.on('close', () => finish({ kind: 'lost', connected, reason: lastError || 'the connection closed' }));
    client.on('connect', () => {
      connected = true;
      // rh 1: retained messages only for a new subscription, not again on every reconnection.
      client.subscribe(settings.topic, { qos: 1, rh: 1 }, (error, granted) => {
        const code = granted?.[0]?.qos ?? 0;
        if (error || code >= 0x80) {
          const why = error ? error.message : `reason code ${code}`;
          finish({ kind: 'failed', error: new ActionError(`the broker refused the subscription to "${settings.topic}": ${why}`, 'subscribe_refused') });
        }
      });
    });
  });
}

/**
 * @param {string} topic
 * @param {Buffer} payload
 * @param {boolean} retained
 */
function outputsOf(topic, payload, retained) {
  const text = payload.toString('utf8');
  /** @type {Record<string, unknown>} */
  const outputs = { topic, payload_text: text, retained: retained === true };
  try {
    outputs.payload_json = JSON.parse(text);
  } catch {
    // Not JSON: payload_text alone.
  }
  return outputs;
}

/**
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function pause(ms, signal) {
  return sleep(ms, undefined, { signal }).catch(() => {});
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
