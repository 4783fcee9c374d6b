import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { afterAll } from 'vitest';
import { packDeterministic, sha256OfFile } from '@trellis/platform/archive';
import { declareEmitterExchange, exchangeOf } from '@trellis/platform/amqp/topology';
import { loadConfig } from '@trellis/platform/config';
import { eventually } from '@trellis/platform/testing/eventually';
import { handled as handledOn, publishAs, useServiceUnderTest, type ServiceUnderTest } from '@trellis/platform/testing/service-harness';
import type { TestObjectStore } from '@trellis/platform/testing/object-store';
import { envSchema } from '../src/infrastructure/config.js';
import * as authorization from '../src/infrastructure/pb/authorization/v1/events.js';
import * as builder from '../src/infrastructure/pb/action-builder/v1/events.js';
import * as repository from '../src/infrastructure/pb/repository/v1/events.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { declareTopology, eventsQueue } from '../src/infrastructure/rabbitmq/topology.js';
import { startActionBuilder } from '../src/infrastructure/start-action-builder.js';
import type { Files } from './fixtures/actions.js';

const run = promisify(execFile);

export const RETRY_DELAYS_MS = [100, 200, 400, 800, 1600];
export const QUEUE = eventsQueue(RETRY_DELAYS_MS).name;
/** The test's own queue on the builder's exchange: every event it emits. */
export const EVENTS_QUEUE = 'test.action-builder.events';

export type BuilderEvent =
  | { type: 'ActionBuildStarted'; message: builder.ActionBuildStarted }
  | { type: 'ActionBuilt'; message: builder.ActionBuilt }
  | { type: 'ActionBuildFailed'; message: builder.ActionBuildFailed };

/** Declares what migrate declares, the repository's exchange (provisioning's) and the test's queue of the builder's events. */
export async function declareTestTopology(channel: amqp.Channel): Promise<void> {
  await declareEmitterExchange(channel, 'repository');
  await declareTopology(channel, RETRY_DELAYS_MS);
  await channel.assertQueue(EVENTS_QUEUE, { durable: true });
  await channel.bindQueue(EVENTS_QUEUE, exchangeOf('action-builder'), '#');
}

/** The builder's events that reached the broker, decoded with its own generated code, in the order they arrived. */
export function makeEventLog(amqpUrl: () => string) {
  const seen: BuilderEvent[] = [];
  const collect = async (): Promise<BuilderEvent[]> => {
    const connection = await amqp.connect(amqpUrl());
    try {
      const channel = await connection.createChannel();
      for (let message = await channel.get(EVENTS_QUEUE, { noAck: true }); message; message = await channel.get(EVENTS_QUEUE, { noAck: true })) {
        const type = String(message.properties.type).split('.').pop();
        if (type === 'ActionBuildStarted') seen.push({ type, message: builder.ActionBuildStarted.decode(message.content) });
        if (type === 'ActionBuilt') seen.push({ type, message: builder.ActionBuilt.decode(message.content) });
        if (type === 'ActionBuildFailed') seen.push({ type, message: builder.ActionBuildFailed.decode(message.content) });
      }
    } finally {
      await connection.close();
    }
    return seen;
  };
  return {
    all: collect,
    /** Every event of a build, once the one that ends it (ActionBuilt or ActionBuildFailed) has arrived. */
    ending: async (buildId: string, timeoutMs = 120_000) => {
      const events = await eventually(collect, (all) => all.some((event) => event.message.buildId === buildId && event.type !== 'ActionBuildStarted'), timeoutMs);
      return events.filter((event) => event.message.buildId === buildId);
    },
    of: (buildId: string) => seen.filter((event) => event.message.buildId === buildId),
  };
}

/** A source tarball as the repository's scan stores it: the folder's files packed deterministically, under its prefix. */
export async function storeSource(store: TestObjectStore, projectId: string, files: Files): Promise<{ key: string; sha256: string; sourceId: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trellis-source-'));
  try {
    const folder = path.join(dir, 'folder');
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
      await writeFile(path.join(folder, name), content);
    }
    const archive = path.join(dir, 'source.tar.gz');
    await packDeterministic(folder, archive);
    const sha256 = await sha256OfFile(archive);
    const sourceId = randomUUID();
    const key = `repository/projects/${projectId}/sources/${sourceId}/${sha256}.tar.gz`;
    await store.store.client.fPutObject(store.config.bucket, key, archive);
    return { key, sha256, sourceId };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type Requested = { buildId: string; messageId: string };

/** ActionBuildRequested as the repository's outbox publishes it, encoded with the builder's copy of the contract. */
export async function requestBuild(amqpUrl: string, fields: { projectId: string; actionId: string; source: { key: string; sha256: string; sourceId: string }; buildId?: string; messageId?: string }): Promise<Requested> {
  const buildId = fields.buildId ?? randomUUID();
  const content = repository.ActionBuildRequested.encode(repository.ActionBuildRequested.fromPartial({
    meta: { eventId: fields.messageId ?? randomUUID(), occurredAt: new Date(), projectId: fields.projectId, traceId: `trace-${buildId}` },
    buildId, sourceId: fields.source.sourceId, sourceName: 'tools', commit: 'c0ffee'.padEnd(40, '0'), folder: `actions/${fields.actionId}`,
    actionId: fields.actionId, version: '1.0.0', sourceObject: fields.source.key, sourceSha256: fields.source.sha256, requestedBy: 'ada',
  })).finish();
  const published = await publishAs(amqpUrl, 'repository', 'trellis.repository.v1.ActionBuildRequested', content, fields.messageId);
  return { buildId, messageId: published.messageId };
}

export async function announceProject(amqpUrl: string, db: ServiceUnderTest<Database>['database']['db'], projectId = randomUUID()): Promise<string> {
  const meta = { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' };
  const published = await publishAs(amqpUrl, 'authorization', 'trellis.authorization.v1.ProjectCreated',
    authorization.ProjectCreated.encode(authorization.ProjectCreated.fromPartial({ meta, projectId, name: `project ${projectId.slice(0, 8)}`, createdBy: randomUUID() })).finish());
  await handledOn(db, QUEUE, published);
  return projectId;
}

export async function deleteProject(amqpUrl: string, db: ServiceUnderTest<Database>['database']['db'], projectId: string): Promise<void> {
  const meta = { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' };
  const published = await publishAs(amqpUrl, 'authorization', 'trellis.authorization.v1.ProjectDeleted',
    authorization.ProjectDeleted.encode(authorization.ProjectDeleted.fromPartial({ meta, projectId, deletedBy: randomUUID() })).finish());
  await handledOn(db, QUEUE, published);
}

/** The action builder as main.ts runs it, on a database, vhost, JWKS and object store of the test file's own. */
export function useBuilder(env: () => Record<string, string>, workDir: string) {
  // Registered first, so it runs last: after the builder has stopped.
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });
  const harness = useServiceUnderTest<Database>({
    service: 'action-builder',
    migrations,
    objectStore: true,
    declareTopology: declareTestTopology,
    env: { TRELLIS_MESSAGE_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','), TRELLIS_BUILD_WORK_DIR: workDir, TRELLIS_BUILD_POLL_MS: '2000' },
    start: (raw, logger) => startActionBuilder(loadConfig(envSchema, { ...raw, ...env() }), { version: 'test', logger }),
  });
  return harness;
}

export async function api(url: string, options: { method?: string; token?: string; body?: unknown; accept?: string } = {}): Promise<{ status: number; type: string; text: string; json: () => Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.accept) headers['accept'] = options.accept;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method: options.method ?? 'GET', headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** Unpacks an artifact from the store and starts it as the runner will: `node wrapper/cli.js action`; resolves with the port it serves on. */
export async function startArtifact(store: TestObjectStore, key: string, into: string): Promise<{ port: number; stop: () => void }> {
  await mkdir(into, { recursive: true });
  await store.store.client.fGetObject(store.config.bucket, key, path.join(into, 'artifact.tar.gz'));
  await run('tar', ['-xzf', 'artifact.tar.gz'], { cwd: into });
  const { spawn } = await import('node:child_process');
  const child = spawn('node', ['wrapper/cli.js', 'action', '--port', '0'], { cwd: into, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the artifact did not start:\n${output}`)), 20_000);
    child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.stdout.on('data', (chunk: Buffer) => {
      output += String(chunk);
      const port = /^(\d+)\n/.exec(output);
      if (port) {
        clearTimeout(timer);
        resolve({ port: Number(port[1]), stop: () => child.kill('SIGTERM') });
      }
    });
    child.once('exit', (code) => reject(new Error(`the artifact exited with ${String(code)}:\n${output}`)));
  });
}
