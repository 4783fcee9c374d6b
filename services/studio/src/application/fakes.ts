import { makeInMemoryUnitOfWork } from '@trellis/platform/testing/unit-of-work';
import type { UploadedFile } from '../domain/file.js';
import type { LibraryAction } from '../domain/library-action.js';
import type { Secret, Variable } from '../domain/project-values.js';
import { httpPathOf, type Workflow, type WorkflowVersion } from '../domain/workflow/workflow.js';
import type { FileContents } from './file-ports.js';
import type { ProjectStatus, RunnerSealer, StudioEvent, Transaction, UnitOfWork, Vault } from './ports.js';

export type FakeState = {
  projects: Record<string, ProjectStatus>;
  library: LibraryAction[];
  variables: Variable[];
  /** Each secret with its value as the Vault sealed it. */
  secrets: Array<{ secret: Secret; sealed: string }>;
  /** The last revision taken. */
  revision: number;
  outbox: Array<StudioEvent & { traceId: string }>;
  workflows: Workflow[];
  workflowVersions: WorkflowVersion[];
  /** What each frozen version uses (an action as id@version, a file by id). */
  versionUses: Array<{ projectId: string; workflowId: string; version: number; kind: 'action' | 'variable' | 'secret' | 'file'; name: string }>;
  files: UploadedFile[];
};

const key = (a: { projectId: string; actionId: string; version: string }) => `${a.projectId}/${a.actionId}@${a.version}`;

/** In-memory ports with the Postgres adapters' rules (checked by test/library-ports.int.test.ts). */
export function makeFakes(initial: Partial<FakeState> = {}) {
  let state: FakeState = { projects: {}, library: [], variables: [], secrets: [], revision: 0, outbox: [], workflows: [], workflowVersions: [], versionUses: [], files: [], ...initial };
  const same = (projectId: string, name: string) => (item: { projectId: string; name: string }) => item.projectId === projectId && item.name === name;
  const bind = (draft: FakeState): Transaction => ({
    projects: { statusOf: async (projectId) => draft.projects[projectId] ?? 'unknown' },
    library: {
      findForUpdate: async (projectId, actionId, version) => draft.library.find((a) => key(a) === key({ projectId, actionId, version })),
      save: async (action) => {
        draft.library = [...draft.library.filter((a) => key(a) !== key(action)), action];
      },
      delete: async (projectId, actionId, version) => {
        const before = draft.library.length;
        draft.library = draft.library.filter((a) => key(a) !== key({ projectId, actionId, version }));
        return draft.library.length < before;
      },
      versionsOf: async (projectId, actionIds) => actionIds.flatMap((actionId) => draft.library
        .filter((a) => a.projectId === projectId && a.actionId === actionId).sort((a, b) => b.builtAt.getTime() - a.builtAt.getTime())),
      findForShare: async (projectId, versions) =>
        draft.library.filter((a) => a.projectId === projectId && versions.some((v) => v.actionId === a.actionId && v.version === a.version)),
    },
    variables: {
      find: async (projectId, name) => draft.variables.find(same(projectId, name)),
      save: async (variable) => {
        draft.variables = [...draft.variables.filter((v) => !same(variable.projectId, variable.name)(v)), variable];
      },
      delete: async (projectId, name) => {
        const before = draft.variables.length;
        draft.variables = draft.variables.filter((v) => !same(projectId, name)(v));
        return draft.variables.length < before;
      },
      all: async (projectId) => draft.variables.filter((v) => v.projectId === projectId).sort(byName).map(({ name, value }) => ({ name, value })),
    },
    secrets: {
      find: async (projectId, name) => draft.secrets.find((row) => same(projectId, name)(row.secret))?.secret,
      save: async (secret, sealed) => {
        draft.secrets = [...draft.secrets.filter((row) => !same(secret.projectId, secret.name)(row.secret)), { secret, sealed }];
      },
      delete: async (projectId, name) => {
        const before = draft.secrets.length;
        draft.secrets = draft.secrets.filter((row) => !same(projectId, name)(row.secret));
        return draft.secrets.length < before;
      },
      names: async (projectId) => draft.secrets.map((row) => row.secret).filter((s) => s.projectId === projectId).sort(byName).map((s) => s.name),
    },
    revisions: { next: async () => ++draft.revision, lock: async () => undefined },
    outbox: {
      append: async (events, traceId) => {
        draft.outbox.push(...events.map((event) => ({ ...event, traceId })));
      },
    },
    ...workflowPorts(draft),
    files: {
      insert: async (file) => {
        draft.files.push(file);
      },
      findForUpdate: async (projectId, id) => draft.files.find((f) => f.projectId === projectId && f.id === id),
      delete: async (projectId, id) => {
        const before = draft.files.length;
        draft.files = draft.files.filter((f) => !(f.projectId === projectId && f.id === id));
        return draft.files.length < before;
      },
      existing: async (projectId, ids) => draft.files.filter((f) => f.projectId === projectId && ids.includes(f.id)).map((f) => f.id).sort(),
      findForShare: async (projectId, ids) => draft.files.filter((f) => f.projectId === projectId && ids.includes(f.id)).sort((a, b) => (a.id < b.id ? -1 : 1)),
    },
  });
  const uow: UnitOfWork = makeInMemoryUnitOfWork({ get: () => state, set: (next) => { state = next; } }, bind);
  return { uow, state: () => state, bind };
}

/** Names sort as Postgres sorts them under `collate "C"`: by code point. */
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Seals by wrapping, so a test sees what was sealed for which row; opens only its own values. */
export const fakeVault: Vault = {
  seal: (plaintext, context) => `sealed(${context}):${Buffer.from(plaintext).toString('base64')}`,
  open: (sealed, context) => {
    const prefix = `sealed(${context}):`;
    if (!sealed.startsWith(prefix)) throw new Error('does not open');
    return Buffer.from(sealed.slice(prefix.length), 'base64').toString();
  },
};

/** "Seals" for the runner by wrapping with the binding, so a test sees what was sealed for whom. */
export const fakeRunnerSealer: RunnerSealer = {
  seal: async (plaintext, binding) => ({ sealedValue: new TextEncoder().encode(`runner(${binding.projectId}/${binding.name}):${plaintext}`), keyId: 'fake-runner-key' }),
};

export function aLibraryAction(overrides: Partial<LibraryAction> = {}): LibraryAction {
  return {
    projectId: 'p1', actionId: 'add-one', version: '1.0.0', kind: 'Processor', name: 'Add one', description: 'Adds one to n.',
    runtime: 'nodejs', format: 'trellis', categories: ['math'], inputs: [{ name: 'n', type: 'integer', help: '', optional: false }],
    outputs: [{ name: 'n', type: 'integer', help: '', optional: false }], resources: {}, digest: 'a'.repeat(64),
    artifactObject: 'action-builder/projects/p1/artifacts/a.tar.gz', artifactSize: 10, images: {}, logo: null,
    origin: { sourceId: 's1', commit: 'c1', folder: 'add-one', buildId: 'b1' }, builtAt: new Date('2026-11-01T10:00:00Z'),
    ...overrides,
  };
}

/** The workflows' ports in memory: one name per project, versions and their uses go with their workflow. */
function workflowPorts(draft: FakeState): Pick<Transaction, 'workflows' | 'workflowVersions'> {
  const mine = (projectId: string, id: string) => draft.workflows.find((w) => w.projectId === projectId && w.id === id);
  const nameTaken = (w: Workflow) => draft.workflows.some((other) => other.projectId === w.projectId && other.name === w.name && other.id !== w.id);
  const versionsOf = (projectId: string, workflowId: string) => draft.workflowVersions.filter((v) => v.projectId === projectId && v.workflowId === workflowId);
  return {
    workflows: {
      insert: async (workflow) => {
        if (nameTaken(workflow)) return false;
        draft.workflows.push(workflow);
        return true;
      },
      find: async (projectId, id) => mine(projectId, id),
      findForUpdate: async (projectId, id) => mine(projectId, id),
      findByNameForUpdate: async (projectId, name) => draft.workflows.find((w) => w.projectId === projectId && w.name === name),
      update: async (workflow) => {
        if (nameTaken(workflow)) return false;
        draft.workflows = draft.workflows.map((w) => (w.projectId === workflow.projectId && w.id === workflow.id ? workflow : w));
        return true;
      },
      delete: async (projectId, id) => {
        draft.workflows = draft.workflows.filter((w) => !(w.projectId === projectId && w.id === id));
        draft.workflowVersions = draft.workflowVersions.filter((v) => v.workflowId !== id);
        draft.versionUses = draft.versionUses.filter((u) => u.workflowId !== id);
      },
      httpPaths: async (projectId, exceptId) => {
        const paths = new Map<string, string>();
        for (const w of draft.workflows) {
          const path = httpPathOf(w.document);
          if (w.projectId === projectId && w.id !== exceptId && path !== null) paths.set(path, w.name);
        }
        return paths;
      },
    },
    workflowVersions: {
      insert: async (version, uses) => {
        draft.workflowVersions.push(version);
        const use = (kind: 'action' | 'variable' | 'secret' | 'file', name: string) => ({ projectId: version.projectId, workflowId: version.workflowId, version: version.version, kind, name });
        draft.versionUses.push(...uses.actions.map((a) => use('action', `${a.id}@${a.version}`)), ...uses.variables.map((v) => use('variable', v)),
          ...uses.secrets.map((s) => use('secret', s)), ...uses.files.map((f) => use('file', f)));
      },
      find: async (projectId, workflowId, version) => versionsOf(projectId, workflowId).find((v) => v.version === version),
      latest: async (projectId, workflowId) => versionsOf(projectId, workflowId).sort((a, b) => b.version - a.version)[0],
      usersOf: async (projectId, { kind, name }) => draft.versionUses
        .filter((u) => u.projectId === projectId && u.kind === kind && u.name === name)
        .flatMap((u) => {
          const workflow = mine(projectId, u.workflowId);
          return workflow ? [{ workflowName: workflow.name, version: u.version, deployment: workflow.deployment }] : [];
        }),
    },
  };
}

/** Tells texts apart as a test needs, 64 hex digits like SHA-256 (FNV-1a, eight seeds): the application has no crypto. */
export function fakeChecksum(text: string): string {
  return [0x811c9dc5, 0x01000193, 0xdeadbeef, 0x12345678, 0x9e3779b9, 0x7f4a7c15, 0x85ebca6b, 0xc2b2ae35].map((seed) => {
    let hash = seed;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return hash.toString(16).padStart(8, '0');
  }).join('');
}

/**
 * The object store in memory: what was stored, by object key, and switches that make a store or
 * a remove fail as the world fails (thrown). A content that fails while it is read stores nothing.
 */
export function makeFakeFileContents() {
  const objects = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const failing = { store: false, remove: false };
  const contents: FileContents = {
    store: async ({ projectId, fileId, contentType }, content) => {
      const object = `studio/projects/${projectId}/files/${fileId}`;
      const chunks: Uint8Array[] = [];
      for await (const chunk of content) chunks.push(chunk);
      if (failing.store) throw new Error('the store is down');
      const bytes = new Uint8Array(Buffer.concat(chunks));
      objects.set(object, { bytes, contentType });
      return { object, size: bytes.length, sha256: fakeChecksum(Buffer.from(bytes).toString('latin1')) };
    },
    remove: async (object) => {
      if (failing.remove) throw new Error('the store is down');
      objects.delete(object);
    },
  };
  return { contents, objects, failing };
}
