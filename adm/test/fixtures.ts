import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { SERVICES, type ServiceName } from '../src/catalog.js';
import { randomToken, type Secrets } from '../src/secrets.js';

/** A name prefix of this test file's own (`trellis_admt_<hex>`), so a real instance's `trellis_*` objects are never touched. */
export function testPrefix(): string {
  return `trellis_admt_${randomBytes(4).toString('hex')}`;
}

export function testSecrets(): Secrets {
  const perService = () => Object.fromEntries(SERVICES.map((s) => [s.name, randomToken(24)])) as Record<ServiceName, string>;
  return { postgres: perService(), amqp: perService(), s3AccessKey: randomToken(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), s3SecretKey: randomToken(40), secretKey: randomBytes(32).toString('base64') };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
