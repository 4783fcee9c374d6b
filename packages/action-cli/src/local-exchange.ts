import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * Stands in for the object store on an author's machine: the wrapper downloads file inputs
 * from, and uploads file outputs to, URLs of this small loopback server, exactly as it would
 * use presigned URLs in production. Directories travel as one tar archive, as there.
 */
export async function startLocalExchange(outDir: string) {
  const inputs = new Map<string, { path: string; kind: 'file' | 'directory' }>();
  const outputs = new Map<string, 'file' | 'directory'>();
  const saved = new Map<string, string>();

  const server = createServer((request, response) => {
    const [, area, token] = (request.url ?? '').split('/');
    const fail = (status: number, message: string) => response.writeHead(status, { 'content-type': 'text/plain' }).end(message);
    void (async () => {
      if (request.method === 'GET' && area === 'in' && token && inputs.has(token)) {
        const input = inputs.get(token) as { path: string; kind: 'file' | 'directory' };
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        if (input.kind === 'file') return pipeline(createReadStream(input.path), response);
        const tar = spawn('tar', ['-cf', '-', '-C', input.path, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
        return pipeline(tar.stdout, response);
      }
      if (request.method === 'PUT' && area === 'out' && token && outputs.has(token)) {
        const kind = outputs.get(token);
        const target = join(outDir, token);
        if (kind === 'file') {
          await pipeline(request, createWriteStream(target));
        } else {
          await mkdir(target, { recursive: true });
          const tar = spawn('tar', ['-xf', '-', '-C', target], { stdio: ['pipe', 'ignore', 'inherit'] });
          await pipeline(request, tar.stdin);
          await new Promise((resolve) => tar.on('close', resolve));
        }
        saved.set(token, target);
        return response.writeHead(200).end();
      }
      return fail(404, 'unknown');
    })().catch((error: unknown) => fail(500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await mkdir(outDir, { recursive: true });

  return {
    /** A URL the wrapper can GET the local file or directory from; throws if it does not exist. */
    async offer(path: string, kind: 'file' | 'directory'): Promise<{ url: string; name: string }> {
      const found = await stat(path).catch(() => undefined);
      if (!found || (kind === 'file' ? !found.isFile() : !found.isDirectory())) throw new Error(`${path} is not a ${kind}`);
      const token = String(inputs.size + 1);
      inputs.set(token, { path, kind });
      return { url: `${base}/in/${token}`, name: basename(path) };
    },
    /** A URL the wrapper can PUT an output to; it is saved as `<outDir>/<name>`. */
    receive(name: string, kind: 'file' | 'directory'): string {
      outputs.set(name, kind);
      return `${base}/out/${name}`;
    },
    saved,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
