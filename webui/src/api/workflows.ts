import { TrellisApiError, unwrap, type JsonBody, type TrellisClient, type paths } from '@trellis/sdk';
import { useQuery } from '@tanstack/react-query';
import type { DraftProblem, WorkflowDraft } from '../editor/draft.js';
import { allPages } from './pages.js';
import { useApi, useSession } from './session.js';

export type WorkflowSummary = JsonBody<paths['/studio/workflows']['get']['responses'][200]>['items'][number];
export type WorkflowView = JsonBody<paths['/studio/workflows/{id}']['get']['responses'][200]>;
export type Deployment = NonNullable<WorkflowView['deployment']>;
export type WorkflowVersion = JsonBody<paths['/studio/workflows/{id}/versions']['get']['responses'][200]>['items'][number];
export type WorkflowVersionDetail = JsonBody<paths['/studio/workflows/{id}/versions/{n}']['get']['responses'][200]>;

/** The document part of a workflow view (the API answers it with read-only fields around it). */
export function draftOf(view: Pick<WorkflowView, 'apiVersion' | 'kind' | 'name' | 'title' | 'description' | 'trigger' | 'steps' | 'results' | 'on_finish'> & { timeout?: unknown }): WorkflowDraft {
  const draft: Record<string, unknown> = {};
  // The document's fields only, in the format's order, so the YAML view reads as an export does.
  for (const key of ['apiVersion', 'kind', 'name', 'title', 'description', 'trigger', 'steps', 'results', 'on_finish', 'timeout'] as const) {
    const value = (view as Record<string, unknown>)[key];
    if (value !== undefined) draft[key] = value;
  }
  // A stored draft may be wrong in any way (its problems say so); the editor needs a list of steps to draw.
  if (!Array.isArray(draft['steps'])) draft['steps'] = [];
  return draft as WorkflowDraft;
}

/** Every workflow of the project (all pages). */
export function useWorkflows() {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['workflows', projectId],
    queryFn: async () => {
      return allPages((cursor) => unwrap(client.GET('/studio/workflows', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } })));
    },
  });
}

export function useWorkflow(id: string | undefined) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['workflow', projectId, id],
    enabled: id !== undefined,
    // The editor holds the draft: a refetch must not replace what the person is editing.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    queryFn: () => unwrap(client.GET('/studio/workflows/{id}', { params: { path: { id: id ?? '' } } })),
  });
}

/** The draft's problems now. */
export function useWorkflowProblems(id: string) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['workflow-problems', projectId, id],
    queryFn: async () => (await unwrap(client.GET('/studio/workflows/{id}/problems', { params: { path: { id } } }))).problems,
  });
}

/** The deployment as studio keeps it, polled while it moves (deploying, undeploying). */
export function useDeployment(id: string | undefined, initial: Deployment | null | undefined) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['deployment', projectId, id],
    enabled: id !== undefined,
    initialData: initial ?? null,
    queryFn: async () => (await unwrap(client.GET('/studio/workflows/{id}', { params: { path: { id: id ?? '' } } }))).deployment ?? null,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'deploying' || status === 'undeploying' ? 1000 : false;
    },
  });
}

/** Names of the project's variables and secrets (first page of each: what a reference picker offers). */
export function useNames(kind: 'variables' | 'secrets') {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['names', kind, projectId],
    queryFn: async () => {
      const page = kind === 'variables'
        ? await unwrap(client.GET('/studio/variables', { params: { query: { limit: 200 } } }))
        : await unwrap(client.GET('/studio/secrets', { params: { query: { limit: 200 } } }));
      return page.items.map((item) => item.name);
    },
    staleTime: 60_000,
  });
}

export function useVersions(id: string | undefined, enabled: boolean) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['workflow-versions', projectId, id],
    enabled: enabled && id !== undefined,
    queryFn: async () => (await unwrap(client.GET('/studio/workflows/{id}/versions', { params: { path: { id: id ?? '' }, query: { limit: 100 } } }))).items,
  });
}

export function getVersion(client: TrellisClient, id: string, n: number): Promise<WorkflowVersionDetail> {
  return unwrap(client.GET('/studio/workflows/{id}/versions/{n}', { params: { path: { id, n: String(n) } } }));
}

/** A YAML text sent as it is (openapi-fetch would send a string as JSON). */
const yamlBody = { bodySerializer: (body: unknown) => body as string, headers: { 'content-type': 'application/yaml' } };

/** The problems a refusal names (422 workflow_invalid); other refusals are thrown on. */
function problemsOfRefusal(error: unknown): DraftProblem[] {
  if (error instanceof TrellisApiError && error.code === 'workflow_invalid') {
    return error.errors.map((finding) => ({ code: finding.code ?? 'invalid', path: finding.path, message: finding.message, ...(finding.line !== undefined ? { line: finding.line } : {}), ...(finding.column !== undefined ? { column: finding.column } : {}) }));
  }
  throw error;
}

/** Every problem of the draft against the project now, without saving (none: []). */
export async function validateDraft(client: TrellisClient, draft: WorkflowDraft, workflowId: string | undefined): Promise<DraftProblem[]> {
  try {
    await unwrap(client.POST('/studio/workflows/validate', { params: { query: workflowId ? { workflow: workflowId } : {} }, body: draft as never }));
    return [];
  } catch (error) {
    return problemsOfRefusal(error);
  }
}

export function createWorkflow(client: TrellisClient, draft: WorkflowDraft): Promise<WorkflowView> {
  return unwrap(client.POST('/studio/workflows', { body: draft as never })) as Promise<WorkflowView>;
}

export function saveDraft(client: TrellisClient, id: string, draft: WorkflowDraft): Promise<WorkflowView> {
  return unwrap(client.PUT('/studio/workflows/{id}', { params: { path: { id } }, body: draft as never })) as Promise<WorkflowView>;
}

export function deployWorkflow(client: TrellisClient, id: string, version?: number): Promise<WorkflowView> {
  return unwrap(client.POST('/studio/workflows/{id}/deploy', { params: { path: { id } }, body: version === undefined ? {} : { version } })) as Promise<WorkflowView>;
}

export function undeployWorkflow(client: TrellisClient, id: string, mode: 'graceful' | 'immediate' = 'graceful') {
  return unwrap(client.POST('/studio/workflows/{id}/undeploy', { params: { path: { id } }, body: { mode } }));
}

/** The draft (or a version) as Trellis writes it in YAML. */
export function exportYaml(client: TrellisClient, id: string, version?: number): Promise<string> {
  return unwrap(client.GET('/studio/workflows/{id}/export', { params: { path: { id }, query: version === undefined ? {} : { version: String(version) } }, parseAs: 'text' })) as Promise<string>;
}

/**
 * A YAML file as the new draft of this workflow: the saved workflow, or the problems with their
 * line and column when studio cannot take it at all.
 */
export async function importYaml(client: TrellisClient, id: string, text: string): Promise<{ ok: true; workflow: WorkflowView } | { ok: false; problems: DraftProblem[] }> {
  try {
    const workflow = await unwrap(client.POST('/studio/workflows/import', { params: { query: { workflow: id } }, body: text as never, ...yamlBody })) as WorkflowView;
    return { ok: true, workflow };
  } catch (error) {
    return { ok: false, problems: problemsOfRefusal(error) };
  }
}
