import { makeInMemoryUnitOfWork } from '@trellis/platform/testing/unit-of-work';
import { actionName, type Deployment, type DeployedVersion, type DeployRequest, type PinnedAction, type RunnerEvent, type UndeployRequest } from '../domain/deployment.js';
import type { Change, JsonValue, ValueKind } from '../domain/project-value.js';
import type { Schedule } from '../domain/schedule.js';
import type { DeploymentRepository, ProjectStatus, ProjectValues, Transaction, UnitOfWork } from './ports.js';
import type { ActionSite, ActionVersionRef } from './site.js';

/**
 * The last change applied to each name, keyed `<project>/<kind>/<name>`; deployments by workflow
 * id, versions keyed `<workflow>/<version>`, and what the outbox received, in order.
 */
export type FakeState = {
  projects: Record<string, ProjectStatus>;
  values: Record<string, Change>;
  deployments: Record<string, Deployment>;
  versions: Record<string, DeployedVersion>;
  /** By workflow id. */
  schedules: Record<string, Schedule>;
  outbox: Array<{ event: RunnerEvent; traceId: string }>;
};

const key = (projectId: string, kind: ValueKind, name: string) => `${projectId}/${kind}/${name}`;

/** In-memory ports with the Postgres adapters' rules (checked by test/project-values-ports.int.test.ts). */
export function makeFakes(initial: Partial<FakeState> = {}) {
  let state: FakeState = { projects: {}, values: {}, deployments: {}, versions: {}, schedules: {}, outbox: [], ...initial };
  const bind = (draft: FakeState): Transaction => ({
    projects: { statusForUpdate: async (projectId) => draft.projects[projectId] ?? 'unknown' },
    values: {
      held: async (projectId, kind, name) => {
        const last = draft.values[key(projectId, kind, name)];
        return last ? { revision: last.revision, deleted: last.type === 'delete' } : undefined;
      },
      apply: async (change) => {
        draft.values = { ...draft.values, [key(change.projectId, change.kind, change.name)]: change };
      },
    },
    deployments: makeFakeDeployments(draft),
    schedules: {
      find: async (workflowId) => draft.schedules[workflowId],
      save: async (schedule) => { draft.schedules = { ...draft.schedules, [schedule.workflowId]: schedule }; },
      remove: async (workflowId) => { draft.schedules = Object.fromEntries(Object.entries(draft.schedules).filter(([id]) => id !== workflowId)); },
    },
    outbox: { append: async (events, traceId) => { draft.outbox.push(...events.map((event) => ({ event, traceId }))); } },
  });
  const uow: UnitOfWork = makeInMemoryUnitOfWork({ get: () => state, set: (next) => { state = next; } }, bind);
  return { uow, state: () => state, bind };
}

/** Project values as runs read them, given in clear (what a use case that resolves inputs needs). */
export function makeFakeProjectValues(given: { variables?: Record<string, Record<string, JsonValue>>; secrets?: Record<string, Record<string, string>> } = {}): ProjectValues {
  return {
    variables: async (projectId) => ({ ...given.variables?.[projectId] }),
    secret: async (projectId, name) => given.secrets?.[projectId]?.[name],
  };
}

/** A change as studio announces it; `overrides` pick the kind, type and values. */
export function aVariableSet(overrides: Partial<Extract<Change, { kind: 'variable'; type: 'set' }>> = {}): Change {
  return { kind: 'variable', type: 'set', projectId: 'p1', name: 'REGION', revision: 1n, changedAt: new Date('2026-12-01T10:00:00Z'), value: 'eu-west', ...overrides };
}

export function aDeletion(overrides: Partial<Extract<Change, { type: 'delete' }>> = {}): Change {
  return { kind: 'variable', type: 'delete', projectId: 'p1', name: 'REGION', revision: 2n, changedAt: new Date('2026-12-01T11:00:00Z'), ...overrides };
}

/** The deployments port in memory, with the Postgres adapter's rules. */
function makeFakeDeployments(draft: FakeState): DeploymentRepository {
  const versionOf = (workflowId: string, version: number | null) => (version === null ? undefined : draft.versions[`${workflowId}/${version}`]);
  return {
    findForUpdate: async (workflowId) => draft.deployments[workflowId],
    save: async (deployment) => { draft.deployments[deployment.workflowId] = deployment; },
    recordVersion: async (version) => { draft.versions[`${version.workflowId}/${version.version}`] ??= version; },
    findVersion: async (workflowId, version) => versionOf(workflowId, version),
    servingPath: async (projectId, httpPath, exceptWorkflowId) => {
      const other = Object.values(draft.deployments).find((d) => d.projectId === projectId && d.servingVersion !== null && d.httpPath === httpPath && d.workflowId !== exceptWorkflowId);
      return other ? { workflowId: other.workflowId, name: other.name } : undefined;
    },
    actionsInUse: async (projectId) => new Set(Object.values(draft.deployments).filter((d) => d.projectId === projectId).flatMap((d) => [
      ...(versionOf(d.workflowId, d.servingVersion)?.actions ?? []),
      ...(d.status === 'deploying' ? (versionOf(d.workflowId, d.version)?.actions ?? []) : []),
    ]).map(actionName)),
    deploying: async () => Object.values(draft.deployments).filter((d) => d.status === 'deploying').map(({ workflowId, deploymentId }) => ({ workflowId, deploymentId })),
    undeploying: async () => Object.values(draft.deployments).filter((d) => d.status === 'undeploying').map(({ workflowId, deploymentId }) => ({ workflowId, deploymentId })),
  };
}

/**
 * A site in memory: `prepare` fails with the reason given for an action version (`id@version`)
 * and counts every call; `release` records what was released, in order.
 */
export function makeFakeSite(failing: Record<string, string> = {}) {
  const prepared: string[] = [];
  const released: string[] = [];
  /** The references as the site got them (site, image, resources). */
  const refs: { prepared: ActionVersionRef[]; released: ActionVersionRef[] } = { prepared: [], released: [] };
  const site: ActionSite = {
    prepare: async (action) => {
      const name = `${action.actionId}@${action.version}`;
      prepared.push(name);
      refs.prepared.push(action);
      const reason = failing[name];
      return reason === undefined ? { ok: true, value: undefined } : { ok: false, error: { reason } };
    },
    call: async () => { throw new Error('the fake site runs no action'); },
    release: async (action) => {
      released.push(`${action.actionId}@${action.version}`);
      refs.released.push(action);
    },
    stats: () => [],
    stop: async () => {},
  };
  return { site, prepared, released, refs };
}

/** A pinned action as studio sends it; `overrides` change its fields. */
export function aPinnedAction(overrides: Partial<PinnedAction> = {}): PinnedAction {
  return {
    actionId: 'add-one', version: '1.0.0', digest: 'a'.repeat(64), artifactObject: 'builder/projects/p1/artifacts/add-one.tgz', artifactSize: 1024,
    kind: 'Processor', runtime: 'nodejs', format: 'trellis',
    inputs: [{ name: 'n', type: 'integer', help: '', optional: false }], outputs: [{ name: 'n', type: 'integer', help: '', optional: false }],
    resources: { timeoutMs: 5000 }, ...overrides,
  };
}

/** A workflow document with an HTTP trigger on `path` (or a manual one when `path` is null), one step per action. */
export function aDocument(path: string | null, actions: readonly PinnedAction[] = [aPinnedAction()], name = 'add-ten'): string {
  return JSON.stringify({
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name,
    trigger: path === null ? { type: 'manual' } : { type: 'http', path },
    steps: actions.map((action, index) => ({ id: `s${index}`, action: `${action.actionId}@${action.version}`, inputs: {} })),
  });
}

/** A deploy request as studio sends it: version 1 of workflow w1 in project p1 on the path add-ten. */
export function aDeployRequest(overrides: Partial<DeployRequest> = {}): DeployRequest {
  const actions = overrides.actions ?? [aPinnedAction()];
  return {
    projectId: 'p1', workflowId: 'w1', workflowName: 'add-ten', version: 1, checksum: 'c'.repeat(64), deploymentId: 'd1',
    documentJson: aDocument('add-ten', actions), actions, files: [], site: 'local', requestedAt: new Date('2026-12-01T10:00:00Z'), traceId: 'trace-1', ...overrides,
  };
}

export function anUndeployRequest(overrides: Partial<UndeployRequest> = {}): UndeployRequest {
  return { projectId: 'p1', workflowId: 'w1', deploymentId: 'u1', mode: 'graceful', requestedAt: new Date('2026-12-01T12:00:00Z'), traceId: 'trace-u', ...overrides };
}
