import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHUTDOWN_MESSAGE } from './lifecycle.js';

// The built module: a worker thread runs plain JavaScript.
const built = fileURLToPath(new URL('../dist/lifecycle.js', import.meta.url));

describe('a lifecycle in a worker thread', () => {
  let dir = '';
  beforeAll(async () => {
    if (!existsSync(built)) throw new Error(`${built} is missing: build first (npm run build)`);
    dir = await mkdtemp(join(tmpdir(), 'trellis-lifecycle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stops gracefully on the host's shutdown message, running its closers, and ends its thread with 0", async () => {
    const closed = join(dir, 'closed');
    const script = join(dir, 'service.mjs');
    await writeFile(
      script,
      `import { appendFileSync } from 'node:fs';
       import { parentPort } from 'node:worker_threads';
       import { makeLifecycle } from ${JSON.stringify(built)};
       const logger = { info() {}, error() {}, warn() {}, debug() {} };
       const lifecycle = makeLifecycle({ logger, timeoutMs: 5000 });
       lifecycle.onShutdown('server', async () => appendFileSync(${JSON.stringify(closed)}, 'server;'));
       lifecycle.installSignalHandlers();
       setInterval(() => {}, 1000);
       parentPort.postMessage('ready');`,
    );
    const worker = new Worker(script);
    await new Promise((resolve) => worker.once('message', resolve));
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    worker.postMessage(SHUTDOWN_MESSAGE);
    expect(await exited).toBe(0);
    expect(await readFile(closed, 'utf8')).toBe('server;');
  });
});
