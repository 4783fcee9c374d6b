import { request } from 'node:http';
import type { Operation } from './openapi.js';
import type { Pools } from './pools.js';
import type { Credential, FuzzRequest, IdChoice } from './requests.js';

/** A generated request with the fixture's ids and credentials in: what goes on the wire. */
export type Concrete = {
  method: string; path: string; headers: Record<string, string>; body: Buffer | undefined; declaredLength?: number;
  /** A JSON document of exactly `bytes` bytes made as it is sent (a limit may be a gigabyte: no string holds that), chunked or with its length. */
  filled?: { bytes: number; chunked: boolean };
};

/** Status 0: no answer came (`error` says why). */
export type Reply = { status: number; contentType: string; text: string; durationMs: number; error?: string };

export type Wire = {
  base: string;
  pools: Pools;
  bearer: (credential: Credential, operation: Operation) => Promise<string>;
};

/**
 * Percent-encoding of the text's UTF-8 bytes; unlike encodeURIComponent it does not throw on a
 * lone surrogate (sent as U+FFFD, as any UTF-8 encoder would).
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function idOf(choice: IdChoice, pools: Pools): string {
  if (choice.kind === 'literal') return choice.raw ? choice.value : percentEncode(choice.value);
  const ids = pools[choice.pool][choice.kind];
  // An id of a kind the fixture has none of (no other project's action, no spare version): an
  // unknown one, never the project's own in its place (a spare is there to be deleted).
  return percentEncode(ids[choice.pick % Math.max(ids.length, 1)] ?? '9b0e9c3c-0000-4000-8000-000000000000');
}

const CHUNK = 64 * 1024;

/** The parts of a JSON document of exactly `bytes` bytes (`{"pad":"aaa…"}`), 64 KiB at a time. */
export function* filledParts(bytes: number): Generator<Buffer> {
  const head = Buffer.from('{"pad":"');
  const tail = Buffer.from('"}');
  const padding = Math.max(0, bytes - head.length - tail.length);
  const full = Buffer.alloc(CHUNK, 'a');
  yield head;
  for (let left = padding; left > 0; left -= CHUNK) yield left >= CHUNK ? full : full.subarray(0, left);
  yield tail;
}

function bodyBytes(fuzzed: FuzzRequest): Pick<Concrete, 'body' | 'declaredLength' | 'filled'> {
  const payload = fuzzed.body?.payload;
  if (!payload) return { body: undefined };
  switch (payload.kind) {
    case 'json':
      return { body: Buffer.from(JSON.stringify(payload.value) ?? 'null') };
    case 'text':
      return { body: Buffer.from(payload.text, payload.latin1 ? 'latin1' : 'utf8') };
    case 'filled':
      return { body: undefined, filled: { bytes: payload.bytes, chunked: payload.chunked } };
    case 'declared':
      return { body: Buffer.from('{"a":'), declaredLength: payload.bytes };
  }
}

export async function concrete(fuzzed: FuzzRequest, operation: Operation, wire: Wire): Promise<Concrete> {
  let path = operation.path.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
    const choice = fuzzed.path[name];
    return choice ? idOf(choice, wire.pools) : name;
  });
  if (fuzzed.query.length > 0) path += `?${fuzzed.query.map(([key, value, raw]) => (raw ? `${key}=${value}` : `${percentEncode(key)}=${percentEncode(value)}`)).join('&')}`;
  const headers: Record<string, string> = { authorization: `Bearer ${await wire.bearer(fuzzed.credential, operation)}`, ...fuzzed.headers };
  if (fuzzed.body?.contentType !== undefined && fuzzed.body.contentType !== '') headers['content-type'] = fuzzed.body.contentType;
  return { method: operation.method, path, headers, ...bodyBytes(fuzzed) };
}

const TIMEOUT_MS = 60_000;

/** Sends it as is (node:http: no path normalisation, a Content-Length that may lie) and reads the answer. */
export function send(base: string, wire: Concrete): Promise<Reply> {
  const started = Date.now();
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    let settled = false;
    const done = (reply: Reply) => {
      if (settled) return;
      settled = true;
      resolve(reply);
    };
    const headers: Record<string, string | number> = { ...wire.headers };
    const parts: Iterable<Buffer> = wire.filled ? filledParts(wire.filled.bytes) : wire.body ? [wire.body] : [];
    if (wire.declaredLength !== undefined) headers['content-length'] = wire.declaredLength;
    else if (wire.filled && !wire.filled.chunked) headers['content-length'] = wire.filled.bytes;
    else if (!wire.filled) headers['content-length'] = wire.body?.length ?? 0;
    let req: ReturnType<typeof request> | undefined;
    try {
      // A connection per request (no agent): a socket the gateway closed after an early answer is never reused.
      req = request({ hostname, port, path: wire.path, method: wire.method, headers, timeout: TIMEOUT_MS, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          // Only the start of a large answer (a file, logs) matters here.
          if (size < 256 * 1024) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          // A lying Content-Length: the rest of the body is never sent; the connection is done.
          if (wire.declaredLength !== undefined) req?.destroy();
          done({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8'), durationMs: Date.now() - started });
        });
        res.on('error', (error) => done({ status: 0, contentType: '', text: '', error: `answer: ${error.message}`, durationMs: Date.now() - started }));
      });
    } catch (error) {
      // node refuses to send some requests at all (a header value it cannot encode): nothing reached the gateway.
      done({ status: 0, contentType: '', text: '', error: `not sent: ${(error as Error).message}`, durationMs: 0 });
      return;
    }
    const sending = req;
    sending.on('timeout', () => sending.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    sending.on('error', (error) => done({ status: 0, contentType: '', text: '', error: error.message, durationMs: Date.now() - started }));
    void (async () => {
      for (const part of parts) {
        if (sending.destroyed) return;
        if (!sending.write(part)) await new Promise((drained) => sending.once('drain', drained));
      }
      // A lying Content-Length: the answer is expected before the rest, which never comes.
      if (wire.declaredLength === undefined) sending.end();
    })();
  });
}

/** The request as a curl command line, to replay one by hand. */
export function asCurl(base: string, wire: Concrete): string {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const headers = Object.entries(wire.headers).map(([name, value]) => `-H ${quote(`${name}: ${name === 'authorization' ? 'Bearer <token>' : value}`)}`);
  const body = wire.body;
  if (wire.filled) {
    return `curl -X ${wire.method} ${headers.join(' ')} --data-binary @<${wire.filled.bytes} bytes: {"pad":"aaa…"}${wire.filled.chunked ? ', chunked' : ''}> ${quote(`${base}${wire.path}`)}`;
  }
  const data = body ? (body.length > 2000 ? `--data-binary @<${body.length} bytes: ${quote(body.subarray(0, 80).toString())}…>` : `--data-binary ${quote(body.toString())}`) : '';
  const declared = wire.declaredLength !== undefined ? `(Content-Length: ${wire.declaredLength}, ${body?.length ?? 0} bytes sent)` : '';
  return `curl -X ${wire.method} ${headers.join(' ')} ${data} ${quote(`${base}${wire.path}`)} ${declared}`.replace(/\s+/g, ' ').trim();
}
