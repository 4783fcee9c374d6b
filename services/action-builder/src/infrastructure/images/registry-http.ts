import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export type RegistryReply = { readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Buffer };

export type RegistryRequest = {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  readonly url: URL;
  readonly headers?: Record<string, string>;
  /** Bytes, or a file streamed with its length (a layer can be hundreds of megabytes). */
  readonly body?: Buffer | { readonly file: string; readonly size: number };
  /** A 200 answer's body goes to this file instead of into memory (a blob). */
  readonly saveTo?: string;
};

const TIMEOUT_MS = 5 * 60_000;

/** One HTTP exchange with a registry; the answer's body read whole (small JSON documents) unless `saveTo` takes it. */
export function send(request: RegistryRequest): Promise<RegistryReply> {
  const client = request.url.protocol === 'https:' ? https : http;
  const body = request.body;
  const length = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : body.size;
  const headers = { ...request.headers, ...(request.method === 'PUT' || request.method === 'POST' ? { 'content-length': String(length) } : {}) };
  return new Promise((resolve, reject) => {
    const outgoing = client.request(request.url, { method: request.method, headers, timeout: TIMEOUT_MS }, (incoming) => {
      if (request.saveTo !== undefined && incoming.statusCode === 200) {
        pipeline(incoming, createWriteStream(request.saveTo)).then(() => resolve({ status: 200, headers: incoming.headers, body: Buffer.alloc(0) }), reject);
        return;
      }
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`the registry did not answer ${request.method} ${request.url.pathname} in ${TIMEOUT_MS / 1000} s`)));
    outgoing.on('error', reject);
    if (body === undefined) outgoing.end();
    else if (Buffer.isBuffer(body)) outgoing.end(body);
    else createReadStream(body.file).on('error', (error) => outgoing.destroy(error)).pipe(outgoing);
  });
}

export type Challenge = { readonly scheme: string; readonly params: Readonly<Record<string, string>> };

/** `WWW-Authenticate: Bearer realm="https://auth/token",service="registry",scope="repository:x:push"` read. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const pair of (match[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) params[(pair[1] ?? '').toLowerCase()] = pair[2] ?? pair[3] ?? '';
  return { scheme: (match[1] ?? '').toLowerCase(), params };
}
