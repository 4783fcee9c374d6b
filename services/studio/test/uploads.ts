import { request } from 'node:http';

export type Sent = { status: number; body: Record<string, unknown>; headers: Record<string, string | string[] | undefined> };

/**
 * POSTs a body in parts, chunked (no length: the service learns the size only while reading), as
 * a client streaming a file does. A service that answers early (a 413) and closes the connection
 * is no error here: its answer is what counts.
 */
export function postInParts(url: string, parts: readonly Buffer[], headers: Record<string, string>): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    void (async () => {
      for (const part of parts) {
        if (req.destroyed) return;
        if (!req.write(part)) await new Promise((drained) => req.once('drain', drained));
      }
      req.end();
    })();
  });
}

/** Sends `bytes` of a chunked upload, then drops the connection: a client that went away. Resolves once the socket is gone. */
export function abandonUpload(url: string, bytes: Buffer, headers: Record<string, string>): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.write(bytes, () => setTimeout(() => req.destroy(), 100));
  });
}
