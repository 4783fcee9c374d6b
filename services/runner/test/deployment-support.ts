import { randomUUID } from 'node:crypto';
import { exchangeOf } from '@trellis/platform/amqp/topology';
import { loadConfig } from '@trellis/platform/config';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import type { Logger } from '@trellis/platform/logger';
import { drainQueue } from '@trellis/platform/testing/amqp';
import { eventually } from '@trellis/platform/testing/eventually';
import { handled as handledOn, publishAs, useServiceUnderTest, type Published } from '@trellis/platform/testing/service-harness';
import type { Engine } from '../src/application/engine-port.js';
import type { ActionVersionRef, SiteStats } from '../src/application/site.js';
import { envSchema } from '../src/infrastructure/config.js';
import type { LocalSite } from '../src/infrastructure/local-site/local-site.js';
import * as authorization from '../src/infrastructure/pb/authorization/v1/events.js';
import * as runnerPb from '../src/infrastructure/pb/runner/v1/events.js';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { declareTopology, eventsQueue } from '../src/infrastructure/rabbitmq/topology.js';
import { startRunner, type RunningRunner } from '../src/infrastructure/start-runner.js';

export const RETRY_DELAYS_MS = [100, 200, 400];
export const QUEUE = eventsQueue(RETRY_DELAYS_MS).name;
/** A queue of the test's own bound to everything the runner emits (declared before the runner starts). */
export const TAP_QUEUE = 'test.runner.tap';

const nameOf = (action: ActionVersionRef) => `${action.actionId}@${action.version}`;

/**
 * A site the test steers: `prepare` fails with the reason given for an action version, or waits
 * until the test lets it go (`hold`); every call is counted. Stands in for the local site.
 */
export function makeTestSite() {
  const failing = new Map<string, string>();
  const held = new Map<string, Promise<void>>();
  const prepared: string[] = [];
  const preparedRefs: ActionVersionRef[] = [];
  const released: string[] = [];
  const scaled: string[] = [];
  const site: LocalSite = {
    prepare: async (action) => {
      prepared.push(nameOf(action));
      preparedRefs.push(action);
      await held.get(nameOf(action));
      const reason = failing.get(nameOf(action));
      return reason === undefined ? { ok: true, value: undefined } : { ok: false, error: { reason } };
    },
    call: async () => { throw new Error('the test site runs no action'); },
    listen: async () => ({ kind: 'ended', message: 'the test site runs no trigger' }),
    release: async (action) => { released.push(nameOf(action)); },
    stats: (): SiteStats[] => preparedRefs.map((action) => ({
      // Each digest its own figure, so a listing showing another's is seen.
      projectId: action.projectId, actionVersion: nameOf(action), digest: action.digest, state: 'ready', processes: 1, inFlight: 0, coldStarts: 1,
      lastColdStartMs: action.digest === 'a'.repeat(64) ? 12 : 34, restarts: 0,
    })),
    stop: async () => {},
    processLog: () => '',
    pidOf: () => undefined,
    tailCall: () => undefined,
    scaleToZero: async (action) => {
      scaled.push(nameOf(action));
      return prepared.includes(nameOf(action)) ? 'stopped' : 'not_running';
    },
  };
  return {
    site, prepared, released, scaled,
    fail: (name: string, reason: string) => failing.set(name, reason),
    /** `prepare` of `name` waits (forever, for a test that restarts the runner under it). */
    hold: (name: string) => held.set(name, new Promise<void>(() => {})),
  };
}

export type Answer = { type: string; message: runnerPb.WorkflowDeployed | runnerPb.WorkflowDeployFailed | runnerPb.WorkflowUndeployed };

const decoders: Record<string, (content: Buffer) => Answer['message']> = {
  'trellis.runner.v1.WorkflowDeployed': (c) => runnerPb.WorkflowDeployed.decode(c),
  'trellis.runner.v1.WorkflowDeployFailed': (c) => runnerPb.WorkflowDeployFailed.decode(c),
  'trellis.runner.v1.WorkflowUndeployed': (c) => runnerPb.WorkflowUndeployed.decode(c),
};

const meta = (projectId: string) => ({ eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' });

export function aPinned(overrides: Partial<studio.PinnedAction> = {}): studio.PinnedAction {
  return studio.PinnedAction.fromPartial({
    id: 'add-one', version: '1.0.0', digest: 'a'.repeat(64), artifactObject: 'action-builder/projects/p/artifacts/x.tgz', artifactSize: '100',
    kind: 'Processor', runtime: 'nodejs', format: 'trellis',
    inputs: [{ name: 'n', type: 'integer', defaultJson: '1' }], outputs: [{ name: 'n', type: 'integer' }],
    resources: { cpu: 0.5, memoryBytes: '268435456', timeoutMs: '60000' }, ...overrides,
  });
}

/** A WorkflowDeployRequested as studio's outbox sends it: an HTTP trigger on `path`, one step per action. */
export function aDeployRequested(projectId: string, overrides: Partial<studio.WorkflowDeployRequested> & { path?: string } = {}): studio.WorkflowDeployRequested {
  const { path = 'add-ten', ...rest } = overrides;
  const actions = rest.actions ?? [aPinned()];
  const documentJson = JSON.stringify({
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: rest.workflowName ?? 'add-ten', trigger: { type: 'http', path },
    steps: actions.map((action, index) => ({ id: `s${index}`, action: `${action.id}@${action.version}`, inputs: {} })),
  });
  return studio.WorkflowDeployRequested.fromPartial({
    meta: meta(projectId), workflowId: randomUUID(), workflowName: 'add-ten', version: 1, checksum: 'c'.repeat(64), deploymentId: randomUUID(),
    documentJson, actions, requestedBy: randomUUID(), files: [], ...rest,
  });
}

/** The runner as main.ts runs it, with the test's site, on a database, vhost and store of the file's own; `restart` starts it again as after a crash. */
export function useDeploymentRunner(options: { engine?: Engine; env?: Record<string, string> } = {}) {
  const testSite = makeTestSite();
  let raw: Record<string, string> = {};
  let log: Logger | undefined;
  const start = (env: Record<string, string>, logger: Logger, site: LocalSite): Promise<RunningRunner> =>
    startRunner(loadConfig(envSchema, env), { version: 'test', logger, site, ...(options.engine ? { engine: options.engine } : {}) });
  const runner = useServiceUnderTest<Database>({
    service: 'runner',
    migrations,
    objectStore: true,
    declareTopology: async (channel) => {
      await channel.assertExchange('trellis.studio', 'topic', { durable: true });
      await declareTopology(channel, RETRY_DELAYS_MS);
      await channel.assertQueue(TAP_QUEUE, { durable: true });
      await channel.bindQueue(TAP_QUEUE, exchangeOf('runner'), '#');
    },
    env: { TRELLIS_MESSAGE_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','), TRELLIS_SEALING_KEY: generateSealingKeyPair().privateKey, ...options.env },
    start: async (env, logger) => {
      raw = env;
      log = logger;
      return start(env, logger, testSite.site);
    },
  });
  const handled = async (published: Promise<Published>) => handledOn(runner.database.db, QUEUE, await published);
  const asStudio = (type: string, content: Uint8Array, messageId?: string) => publishAs(runner.vhost.url, 'studio', `trellis.studio.v1.${type}`, content, messageId);
  const collected: Answer[] = [];
  /** Every answer the runner published so far (read from the tap queue). */
  const answers = async (): Promise<Answer[]> => {
    for (const message of await drainQueue(runner.vhost.url, TAP_QUEUE)) {
      const type = String(message.properties.type);
      const decode = decoders[type];
      if (decode) collected.push({ type, message: decode(message.content) });
    }
    return collected;
  };
  return {
    runner, testSite, answers, asStudio, handled,
    /** The answers to one deployment id, once `count` of them are there. */
    answersTo: (deploymentId: string, count = 1) => eventually(async () => (await answers()).filter((a) => a.message.deploymentId === deploymentId), (found) => found.length >= count),
    knownProject: async (name?: string): Promise<string> => {
      const projectId = randomUUID();
      await handled(publishAs(runner.vhost.url, 'authorization', 'trellis.authorization.v1.ProjectCreated',
        authorization.ProjectCreated.encode(authorization.ProjectCreated.fromPartial({ meta: meta(projectId), projectId, name: name ?? `p-${projectId.slice(0, 8)}`, createdBy: randomUUID() })).finish()));
      return projectId;
    },
    deployRequested: (message: studio.WorkflowDeployRequested, messageId?: string) =>
      handled(asStudio('WorkflowDeployRequested', studio.WorkflowDeployRequested.encode(message).finish(), messageId)),
    undeployRequested: (projectId: string, workflowId: string, mode: studio.UndeployMode, deploymentId = randomUUID()) =>
      handled(asStudio('WorkflowUndeployRequested', studio.WorkflowUndeployRequested.encode(studio.WorkflowUndeployRequested.fromPartial({
        meta: meta(projectId), workflowId, deploymentId, mode, requestedBy: randomUUID(),
      })).finish())).then(() => deploymentId),
    deployment: (workflowId: string) => runner.database.db.selectFrom('deployments').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst(),
    /** Stops the running runner and starts another on the same database, vhost and store (as a restart after a crash), with `site`. */
    restart: async (site: LocalSite): Promise<RunningRunner> => {
      await runner.running.stop();
      if (!log) throw new Error('the runner has not started');
      const again = await start({ ...raw, TRELLIS_HTTP_PORT: '0' }, log, site);
      await again.runtime.broker.waitUntilConnected(10_000);
      return again;
    },
  };
}
