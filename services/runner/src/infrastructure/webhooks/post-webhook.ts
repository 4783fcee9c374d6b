import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AttemptOutcome } from '../../domain/webhook-delivery.js';
import { checkDestination, type UrlGuardOptions } from './url-guard.js';

export type WebhookRequest = { url: string; body: string; headers: Readonly<Record<string, string>> };

/** What a receiver answers beyond this is not read (only its status matters). */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs one delivery: the URL checked (url-guard) and the connection made to the address checked,
 * TLS still verified against the host name. Redirects are not followed (a 3xx is not a delivery).
 * Never throws: every end is an outcome to record.
 */
export async function postWebhook(request: WebhookRequest, options: UrlGuardOptions & { timeoutMs: number; signal?: AbortSignal }): Promise<AttemptOutcome> {
  const destination = await checkDestination(request.url, options);
  if (!destination.ok) return destination.refused ? { kind: 'refused', error: destination.error } : { kind: 'unreachable', error: destination.error };
  const pinned: LookupFunction = (_host, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  };
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])]);
  const client = destination.url.protocol === 'https:' ? https : http;
  return new Promise<AttemptOutcome>((resolve) => {
    const sent = client.request(destination.url, {
      method: 'POST', lookup: pinned, signal, agent: false,
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
    }, (answer) => {
      let read = 0;
      answer.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) answer.destroy();
      });
      answer.on('close', () => resolve({ kind: 'answered', statusCode: answer.statusCode ?? 0 }));
      answer.on('error', () => undefined);
    });
    sent.on('error', (error: NodeJS.ErrnoException) => {
      const why = signal.aborted ? (options.signal?.aborted ? 'interrupted: the runner is stopping' : `no answer within ${options.timeoutMs} ms`) : (error.code ?? error.message);
      resolve({ kind: 'unreachable', error: why });
    });
    sent.end(request.body);
  });
}
