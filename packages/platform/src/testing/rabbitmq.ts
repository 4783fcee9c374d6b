import { randomBytes } from 'node:crypto';

/** The broker's management API, used by tests to make and drop their own vhosts. */
function api(): { base: string; authorization: string } {
  const url = new URL(process.env['TRELLIS_TEST_RABBITMQ_API'] ?? 'http://guest:guest@127.0.0.1:15672/api');
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  return { base: url.toString().replace(/\/$/, ''), authorization };
}

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const { base, authorization } = api();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok && response.status !== 404) {
    throw new Error(`RabbitMQ management API ${method} ${path} answered ${response.status}: ${await response.text()}`);
  }
  return response;
}

export function testAmqpBaseUrl(): string {
  return process.env['TRELLIS_TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
}

export type TestVhost = { vhost: string; url: string; close: () => Promise<void> };

/** A vhost of its own for one test file, so queues and exchanges never meet a running instance's. */
export async function createTestVhost(): Promise<TestVhost> {
  const vhost = `trellis_test_${randomBytes(5).toString('hex')}`;
  const user = decodeURIComponent(new URL(testAmqpBaseUrl()).username || 'guest');
  await call('PUT', `/vhosts/${encodeURIComponent(vhost)}`, {});
  await call('PUT', `/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
  const url = new URL(testAmqpBaseUrl());
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return {
    vhost,
    url: url.toString(),
    close: async () => {
      await call('DELETE', `/vhosts/${encodeURIComponent(vhost)}`);
    },
  };
}
