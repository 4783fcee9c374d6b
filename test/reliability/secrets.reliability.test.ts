// Secrets (issue 18): a project secret and a source credential with distinctive values, used by a
// run whose action prints the secret (plain, base64, URL-encoded) and ends at a webhook; then every
// API answer the test got, every broker message of the vhost, every service's output, the step
// logs, the webhook deliveries, the exports and a backup's content (each database dumped, each
// object of the store) are scanned for the values in every form: none may be found.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeObjectStore } from '@trellis/platform/object-store';
import { SERVICES, eventually } from '../e2e/harness.js';
import { captureBroker, type BrokerCapture } from './attacks/broker-capture.js';
import { secretWorkflow } from './attacks/fixtures.js';
import { needlesOf, scanFor, type Haystack } from './attacks/secret-scan.js';
import { deploy, makeWorld, type World } from './attacks/world.js';
import { writeResults } from './support/results.js';
import { sized } from './support/scale.js';

const run = promisify(execFile);

// Distinctive values, with characters that URL-encoding and JSON change.
const SECRETS = {
  'project secret': 'Sekr3t/+=&?%"zq-7f3a9c1e-attack',
  'source password': 'gitPa55/+w0rd&x=1%-b2e4d6f8',
};

let world: World;
let capture: BrokerCapture | undefined;
let receiver: Server;
const deliveries: Haystack[] = [];
const RUNS = sized(5, 20);

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({ source: 'webhook deliveries', name: `${request.method} ${request.url}`, content: `${JSON.stringify(request.headers)}\n${Buffer.concat(chunks).toString()}` });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  world = await makeWorld({
    secretValue: SECRETS['project secret'],
    sourcePassword: SECRETS['source password'],
    // The receiver is on this machine: the admin's allowance lets the run's webhook really be sent.
    overrides: (name): Record<string, string> => (name === 'runner' ? { TRELLIS_WEBHOOK_ALLOW_PRIVATE: 'true' } : {}),
    onPlatform: async (env) => {
      capture = await captureBroker(env.platform.vhost.vhost, env.platform.vhost.url);
    },
  });
}, 900_000);

afterAll(async () => {
  await capture?.close();
  await world?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
}, 120_000);

/** Every service database as pg_dump writes it (plain SQL, data included). */
async function databaseDumps(): Promise<Haystack[]> {
  return Promise.all(SERVICES.map(async ({ name }) => {
    const { stdout } = await run('pg_dump', ['--no-owner', '--dbname', world.env.platform.databaseUrls[name]], { maxBuffer: 512 * 1024 * 1024, encoding: 'buffer' });
    return { source: 'backup: databases (pg_dump)', name, content: stdout };
  }));
}

/** Every object of the platform's bucket, read whole. */
async function storeObjects(): Promise<Haystack[]> {
  const store = makeObjectStore(world.env.platform.store.config);
  const found: Haystack[] = [];
  for await (const item of store.client.listObjectsV2(store.bucket, '', true) as AsyncIterable<{ name: string }>) {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.client.getObject(store.bucket, item.name)) chunks.push(chunk as Buffer);
    found.push({ source: 'backup: object store', name: item.name, content: Buffer.concat(chunks) });
  }
  return found;
}

describe('secret values', () => {
  it('appear nowhere: answers, logs, step logs, broker messages, webhooks, exports, databases and objects', async () => {
    const port = (receiver.address() as AddressInfo).port;
    await capture?.rebind();
    const admin = world.adminA;
    const workflow = await deploy(world.api, admin, secretWorkflow('leak', `http://127.0.0.1:${port}/hook`));
    for (let i = 0; i < RUNS; i += 1) {
      const answer = await world.api('POST', '/user-api/attack-a/leak', { json: { text: `run ${i}` } });
      expect(answer.status, answer.text).toBe(200);
    }
    await eventually(async () => deliveries.length, (count) => count >= RUNS, 60_000);

    // Everything a user may read about the runs, the secret and the source: it all lands in the recorded answers.
    const runs = (await world.api('GET', '/runner/runs?workflow=leak&limit=100', { token: admin })).body.items as Array<{ id: string }>;
    for (const { id } of runs) {
      await world.api('GET', `/runner/runs/${id}`, { token: admin });
      await world.api('GET', `/runner/runs/${id}/steps/s1/logs`, { token: admin });
      await world.api('GET', `/runner/runs/${id}/steps/s1/replay`, { token: admin });
      await world.api('GET', `/runner/runs/${id}/result`, { token: admin });
    }
    const stepLogs = await world.api('GET', `/runner/runs/${runs[0]?.id}/steps/s1/logs`, { token: admin });
    // The action did print (the check is not vacuous): its line is there, the value masked.
    expect(stepLogs.text).toContain('the token is');
    for (const path of ['/studio/secrets', '/studio/secrets/ATTACK_SECRET', `/studio/workflows/${workflow}`, `/studio/workflows/${workflow}/versions/1`, '/repository/sources', '/runner/deployments']) {
      await world.api('GET', path, { token: admin });
    }
    const exports = await Promise.all((await world.api('GET', '/studio/workflows', { token: admin })).body.items.map(async ({ id }: { id: string }) => {
      const exported = await world.api('GET', `/studio/workflows/${id}/export`, { token: admin });
      return { source: 'workflow exports', name: id, content: exported.text };
    }));
    await capture?.rebind();

    const haystacks: Haystack[] = [
      ...world.env.answers.map((text, i) => ({ source: 'API answers', name: `answer ${i}`, content: text })),
      ...SERVICES.map(({ name }) => ({ source: 'service logs', name, content: world.env.platform.running[name].output() })),
      { source: 'step logs', name: 'leak s1', content: stepLogs.text },
      ...deliveries,
      ...exports,
      ...(capture?.messages ?? []).map((m, i) => ({ source: 'broker messages', name: `${m.exchange} ${m.routingKey} #${i}`, content: Buffer.concat([Buffer.from(m.properties), m.content]) })),
      ...(await databaseDumps()),
      ...(await storeObjects()),
    ];
    const figures = scanFor(needlesOf(SECRETS), haystacks);
    // Passwords, tokens and API keys too (as they are), wherever a user was not given them: not in API answers (a login answers its tokens).
    const credentials = [...world.credentials].map((text, i) => ({ secret: `credential ${i}`, form: 'plain', text }));
    const credentialFigures = scanFor(credentials, haystacks.filter((h) => h.source !== 'API answers'));
    const credentialsFound = (source: string) => credentialFigures.find((f) => f.source === source)?.found ?? [];
    await writeResults('secrets', 'Secrets: values searched for after runs that used them', {
      headers: ['scanned', 'items', 'bytes', 'secret values found', 'credentials found'],
      rows: figures.map((f) => [f.source, f.items, f.bytes, f.found.length, f.source === 'API answers' ? 'not searched' : credentialsFound(f.source).length]),
    }, {
      runs: RUNS, exchanges: capture?.exchanges ?? [], forms: needlesOf(SECRETS).map((n) => `${n.secret}: ${n.form}`), credentials: credentials.length,
      figures: figures.map((f) => ({ ...f, found: f.found.slice(0, 50), credentialsFound: credentialsFound(f.source).slice(0, 50) })),
    });

    expect(capture?.messages.length ?? 0).toBeGreaterThan(0);
    expect(deliveries.length).toBeGreaterThanOrEqual(RUNS);
    expect(figures.flatMap((f) => f.found)).toEqual([]);
    expect(credentialFigures.flatMap((f) => f.found)).toEqual([]);
  }, 600_000);
});
