import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortsFree } from './ports.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function listen(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

describe('the port check', () => {
  it('names a taken port and the variable that moves it', async () => {
    const taken = await listen();
    await expect(assertPortsFree([{ name: 'gateway', port: taken, envVar: 'TRELLIS_PORT' }])).rejects.toThrow(
      `port ${taken} (gateway) is already in use; free it or set TRELLIS_PORT to another port`,
    );
  });

  it('passes free ports and catches a port given twice', async () => {
    const free = await listen();
    await new Promise((resolve) => servers.pop()?.close(resolve));
    await expect(assertPortsFree([{ name: 'gateway', port: free, envVar: 'TRELLIS_PORT' }])).resolves.toBeUndefined();
    await expect(
      assertPortsFree([
        { name: 'studio', port: free, envVar: 'TRELLIS_STUDIO_PORT' },
        { name: 'runner', port: free, envVar: 'TRELLIS_RUNNER_PORT' },
      ]),
    ).rejects.toThrow(/given to both studio and runner; set TRELLIS_RUNNER_PORT/);
  });
});
