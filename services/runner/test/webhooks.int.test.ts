// Completion webhooks on the real runner (issue 12): Postgres, the local site, a receiver on a
// local HTTP server. A run's end makes its delivery in the same commit (a trigger); the delivery
// loop signs and POSTs it, retries what is not a 2xx with backoff, records every attempt (shown
// on the run), survives a restart, and refuses internal addresses unless the admin allows them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeCall } from '@trellis/platform/testing/http-call';
import type * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { signatureOf, verifySignature } from '../src/infrastructure/webhooks/signature.js';
import { aChain, useEngineRunner } from './engine-support.js';

const ALLOWED = { TRELLIS_WEBHOOK_ALLOW_PRIVATE: 'true' };
const { service, runner, db, build, knownProject, deploy, restart } = useEngineRunner({
  ...ALLOWED, TRELLIS_WEBHOOK_RETRY_BASE_MS: '200', TRELLIS_WEBHOOK_RETRY_MAX_MS: '1000', TRELLIS_WEBHOOK_TIMEOUT_MS: '5000',
});
const call = makeCall(() => runner().url);

type Received = { headers: IncomingMessage['headers']; body: string; at: number };

/** A receiver answering each request with the next of `answers` (then 200); `hang` never answers. */
function aReceiver() {
  const received: Received[] = [];
  let answers: (number | 'hang')[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const answer = answers.shift() ?? 200;
      if (answer !== 'hang') response.writeHead(answer).end('ok');
    });
  });
  return {
    received, server,
    answering: (next: (number | 'hang')[]) => { answers = [...next]; received.length = 0; },
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/run-ended`,
  };
}

const receiver = aReceiver();
let projectId = '';
let addOne: studio.PinnedAction;
let raise: studio.PinnedAction;

async function runOnce(workflowId: string, n = 1): Promise<string> {
  const started = await runner().engine.start({ projectId, workflowId, triggerType: 'http', triggerOutputs: { n }, traceId: 'trace' });
  if (!started.ok) throw new Error(`refused: ${started.error.type}`);
  await started.value.finished;
  return started.value.runId;
}

const deployHooked = async (name: string) => deploy(projectId, { ...aChain(name, 1), on_finish: { webhook: receiver.url() } }, [addOne]);

type WebhookView = { url: string; status: string; attempts: { attempt: number; status_code: number | null; error: string | null; duration_ms: number | null }[] } | null;

async function webhookOf(runId: string): Promise<WebhookView> {
  const token = await service.jwks.sign({ projectId, role: 'viewer' });
  const answer = await call('GET', `/runs/${runId}`, { token });
  expect(answer.status).toBe(200);
  return (answer.body as { webhook: WebhookView }).webhook;
}

const settled = (runId: string) => eventually(() => webhookOf(runId), (view) => view !== null && view.status !== 'pending', 30_000);

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  projectId = await knownProject();
  [addOne, raise] = await build(['examples/actions/add-one', 'examples/actions/raise-error']) as [studio.PinnedAction, studio.PinnedAction];
}, 120_000);

afterAll(async () => {
  receiver.server.closeAllConnections();
  await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
});

describe('completion webhooks', () => {
  it('POSTs the ended run, signed with the workflow\'s secret that the route gives (and no other secret verifies it)', async () => {
    receiver.answering([204]);
    const workflowId = await deployHooked('hooked');
    const runId = await runOnce(workflowId, 41);
    expect(await settled(runId)).toMatchObject({ url: receiver.url(), status: 'delivered', attempts: [{ attempt: 1, status_code: 204, error: null }] });
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received as [Received];
    const body = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(body).toMatchObject({ run_id: runId, workflow_id: workflowId, workflow: 'hooked', version: 1, status: 'succeeded', results: { n: 42 }, error: null });
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['trellis-delivery']).toBe(body['delivery_id']);
    const timestamp = Number(delivery.headers['trellis-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);

    const developer = await service.jwks.sign({ projectId, role: 'developer' });
    const answer = await call('GET', `/workflows/${workflowId}/webhook-secret`, { token: developer });
    expect(answer.status).toBe(200);
    const { secret } = answer.body as { secret: string };
    expect(secret).toMatch(/^whsec_/);
    const signature = String(delivery.headers['trellis-signature']);
    expect(signature).toBe(signatureOf(secret, timestamp, delivery.body));
    expect(verifySignature(secret, timestamp, delivery.body, signature)).toBe(true);
    expect(verifySignature(`${secret}x`, timestamp, delivery.body, signature)).toBe(false);
    // Sealed at rest: the row holds no trace of the secret's text.
    const row = await db().selectFrom('webhook_secrets').select('sealed').where('workflow_id', '=', workflowId).executeTakeFirstOrThrow();
    expect(row.sealed.toString('latin1')).not.toContain(secret.slice(6, 20));
    // A viewer may not read it; another project's workflow is not found.
    expect((await call('GET', `/workflows/${workflowId}/webhook-secret`, { token: await service.jwks.sign({ projectId, role: 'viewer' }) })).status).toBe(403);
    expect((await call('GET', `/workflows/${workflowId}/webhook-secret`, { token: await service.jwks.sign({ projectId: await knownProject(), role: 'developer' }) })).status).toBe(404);

    // Rotated: the next delivery is signed with the new secret only.
    const rotated = (await call('POST', `/workflows/${workflowId}/webhook-secret/rotate`, { token: developer })).body as { secret: string };
    expect(rotated.secret).not.toBe(secret);
    receiver.answering([200]);
    await settled(await runOnce(workflowId));
    const [next] = receiver.received as [Received];
    const nextAt = Number(next.headers['trellis-timestamp']);
    expect(verifySignature(rotated.secret, nextAt, next.body, String(next.headers['trellis-signature']))).toBe(true);
    expect(verifySignature(secret, nextAt, next.body, String(next.headers['trellis-signature']))).toBe(false);
  });

  it('sends a failed run too, with its error', async () => {
    receiver.answering([200]);
    const workflowId = await deploy(projectId, {
      name: 'hooked-failing', trigger: { type: 'http', path: 'hooked-failing', inputs: [{ name: 'n', type: 'integer' }] },
      steps: [{ id: 'refuse', action: 'raise-error@1.0.0', inputs: { message: 'no thanks', code: 'rejected' } }], on_finish: { webhook: receiver.url() },
    }, [raise]);
    const runId = await runOnce(workflowId);
    expect(await settled(runId)).toMatchObject({ status: 'delivered' });
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ run_id: runId, status: 'failed', results: null, error: { code: 'rejected', message: 'no thanks', step: 'refuse' } });
  });

  it('retries a receiver answering 500, 500, then 200: 3 attempts with their status codes, after growing delays, delivered', async () => {
    receiver.answering([500, 500, 200]);
    const workflowId = await deployHooked('hooked-flaky');
    const runId = await runOnce(workflowId);
    const view = await settled(runId);
    expect(view).toMatchObject({ status: 'delivered' });
    expect(view?.attempts.map((attempt) => [attempt.attempt, attempt.status_code, attempt.error])).toEqual([[1, 500, null], [2, 500, null], [3, 200, null]]);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((request) => request.headers['trellis-delivery'])).size).toBe(1);
    // Jitter at its top (random 0.999): retry 1 waits 199 ms, retry 2 399 ms; upper bounds loose for a busy machine.
    const gaps = [1, 2].map((n) => (receiver.received[n]?.at ?? 0) - (receiver.received[n - 1]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(199);
    expect(gaps[1]).toBeGreaterThanOrEqual(399);
    expect(gaps[1]).toBeLessThan(399 + 5000);
  });

  it('a delivery in flight when the runner stops is sent by the next process', async () => {
    receiver.answering(['hang', 200]);
    const workflowId = await deployHooked('hooked-restart');
    const runId = await runOnce(workflowId);
    await eventually(async () => receiver.received.length, (count) => count === 1, 30_000);
    await restart();
    const view = await settled(runId);
    expect(view?.status).toBe('delivered');
    expect(view?.attempts.map((attempt) => [attempt.attempt, attempt.status_code])).toEqual([[1, null], [2, 200]]);
    expect(view?.attempts[0]?.error).toContain('interrupted');
    expect(receiver.received.map((request) => request.headers['trellis-delivery'])).toEqual([receiver.received[0]?.headers['trellis-delivery'], receiver.received[0]?.headers['trellis-delivery']]);
  });

  it('refuses a loopback URL unless the admin allows it: one failed attempt recorded, nothing sent; redelivered once allowed', async () => {
    await restart({ TRELLIS_WEBHOOK_ALLOW_PRIVATE: 'false' });
    receiver.answering([]);
    const workflowId = await deployHooked('hooked-refused');
    const runId = await runOnce(workflowId);
    const view = await settled(runId);
    expect(view).toMatchObject({ status: 'failed', attempts: [{ attempt: 1, status_code: null }] });
    expect(view?.attempts[0]?.error).toMatch(/refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback address/);
    expect(receiver.received).toHaveLength(0);

    await restart(ALLOWED);
    const operator = await service.jwks.sign({ projectId, role: 'operator' });
    expect((await call('POST', `/runs/${runId}/webhook/redeliver`, { token: operator })).status).toBe(202);
    const again = await settled(runId);
    expect(again?.status).toBe('delivered');
    expect(again?.attempts.map((attempt) => [attempt.attempt, attempt.status_code])).toEqual([[1, null], [2, 200]]);
    expect(receiver.received).toHaveLength(1);
    // Only a failed delivery is sent again; a run without one is not found.
    expect((await call('POST', `/runs/${runId}/webhook/redeliver`, { token: operator })).status).toBe(409);
    const plain = await deploy(projectId, aChain('not-hooked', 1), [addOne]);
    const plainRun = await runOnce(plain);
    expect(await webhookOf(plainRun)).toBeNull();
    expect((await call('POST', `/runs/${plainRun}/webhook/redeliver`, { token: operator })).status).toBe(404);
  });
});
