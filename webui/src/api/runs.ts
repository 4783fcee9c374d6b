import { readEventStream, unwrap, FINISHED_RUN_STATUSES, type JsonBody, type paths } from '@trellis/sdk';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { WorkflowDraft } from '../editor/draft.js';
import { useApi, useSession } from './session.js';

export type RunItem = JsonBody<paths['/runner/runs']['get']['responses'][200]>['items'][number];
export type RunDetail = JsonBody<paths['/runner/runs/{id}']['get']['responses'][200]>;
export type RunStep = RunDetail['steps'][number];
export type StepAttempt = RunStep['attempts'][number];
export type StepError = NonNullable<RunStep['error']>;
export type AttemptLogs = JsonBody<paths['/runner/runs/{id}/steps/{step}/logs']['get']['responses'][200]>['attempts'][number];
export type RunStatus = RunItem['status'];
export type WorkflowView = JsonBody<paths['/studio/workflows/{id}']['get']['responses'][200]>;

export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'canceled'];
export const isFinished = (status: string) => (FINISHED_RUN_STATUSES as readonly string[]).includes(status);

export type RunFilter = { workflow?: string; status?: RunStatus; since?: string; until?: string };

/** The project's runs, newest first, a page at a time; read again every 2 s so new runs and changed statuses show. */
export function useRuns(filter: RunFilter) {
  const client = useApi();
  const { projectId } = useSession();
  return useInfiniteQuery({
    queryKey: ['runs', projectId, filter],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(client.GET('/runner/runs', { params: { query: { limit: 50, ...filter, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (page) => page.next ?? undefined,
    refetchInterval: 2000,
    placeholderData: (previous) => previous,
  });
}

/** One run with its steps; read every second until it has finished. */
export function useRun(runId: string) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['run', projectId, runId],
    queryFn: () => unwrap(client.GET('/runner/runs/{id}', { params: { path: { id: runId } } })),
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data.status) ? false : 1000),
  });
}

/** The document of the version a run ran (frozen: it never changes, so it is read once). */
export function useVersionDocument(workflowId: string | undefined, version: number | undefined) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['workflow-version', projectId, workflowId, version],
    enabled: workflowId !== undefined && version !== undefined,
    staleTime: Infinity,
    queryFn: async () => {
      const answer = await unwrap(client.GET('/studio/workflows/{id}/versions/{n}', { params: { path: { id: workflowId ?? '', n: String(version) } } }));
      return answer.document as unknown as WorkflowDraft;
    },
  });
}

/** A workflow with the document of the version it serves (what a manual run starts on), else its draft. */
export function useServedWorkflow(workflowId: string) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['served-workflow', projectId, workflowId],
    queryFn: async () => {
      const workflow = await unwrap(client.GET('/studio/workflows/{id}', { params: { path: { id: workflowId } } }));
      const serving = workflow.deployment?.serving_version ?? null;
      if (serving === null) return { workflow, serving, document: workflow as unknown as WorkflowDraft };
      const version = await unwrap(client.GET('/studio/workflows/{id}/versions/{n}', { params: { path: { id: workflowId, n: String(serving) } } }));
      return { workflow, serving, document: version.document as unknown as WorkflowDraft };
    },
  });
}

/** Starts a run by hand; resolves to the new run's id. */
/** The inputs as a form: a file part per file, a text field per other value (JSON text unless a string). */
export function formOf(inputs: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(inputs)) {
    if (value === undefined || value === null) continue;
    if (value instanceof File) form.append(name, value, value.name);
    else form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return form;
}

export function useStartRun(workflowId: string) {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (inputs: Record<string, unknown>) => {
      const withFiles = Object.values(inputs).some((value) => value instanceof File);
      // Files go as parts of a multipart form, stored by the runner under the new run (as an
      // HTTP trigger's are); the other inputs then go as text fields the runner reads by type.
      const answer = withFiles
        ? client.POST('/runner/workflows/{id}/runs', { params: { path: { id: workflowId } }, body: { inputs: {} }, bodySerializer: () => formOf(inputs) })
        : client.POST('/runner/workflows/{id}/runs', { params: { path: { id: workflowId } }, body: { inputs } });
      return (await unwrap(answer)).run_id;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['runs'] }),
  });
}

/** Re-runs a finished run from the start or from where it failed; resolves to the new run's id. */
export function useRerun(runId: string) {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (from: 'start' | 'failed') => (await unwrap(client.POST('/runner/runs/{id}/rerun', { params: { path: { id: runId } }, body: { from } }))).run_id,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['runs'] }),
  });
}

export function useCancelRun(runId: string) {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST('/runner/runs/{id}/cancel', { params: { path: { id: runId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['run'] }),
  });
}

/** Sends a wait step's signal: the JSON object becomes the step's outputs. */
export function useSendSignal(runId: string) {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, body }: { name: string; body: Record<string, unknown> }) =>
      unwrap(client.POST('/runner/runs/{id}/signals/{name}', { params: { path: { id: runId, name } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['run'] }),
  });
}

/**
 * Saves a file output: the output route needs the bearer credential, which a plain link would not
 * send, so the file is read through the SDK (`?inline=true`: the runner streams it) and handed
 * to the browser as a blob.
 */
export function useDownloadOutput() {
  const client = useApi();
  return async (runId: string, step: string, output: string, fileName: string): Promise<void> => {
    const { data } = await client.GET('/runner/runs/{id}/steps/{step}/outputs/{name}', {
      params: { path: { id: runId, step, name: output }, query: { inline: 'true' } }, parseAs: 'blob',
    });
    if (!data) throw new Error(`the output ${output} answered without a body`);
    const url = URL.createObjectURL(data as Blob);
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = fileName;
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
}

/** One output's value read whole (a large one is shown as `{"$large": true, "size": n}` in the run). */
export function useReadOutput() {
  const client = useApi();
  return async (runId: string, step: string, output: string): Promise<unknown> => {
    const { data } = await client.GET('/runner/runs/{id}/steps/{step}/outputs/{name}', { params: { path: { id: runId, step, name: output } }, parseAs: 'text' });
    return JSON.parse(String(data)) as unknown;
  };
}

export type LiveOutput = { attempt: number; stream: 'stdout' | 'stderr'; text: string };
export type StepLogsState = { attempts: AttemptLogs[]; live: LiveOutput[]; ended: boolean; error: unknown };

/**
 * A step's logs followed live (Server-Sent Events, read through the SDK since the route needs the
 * bearer): each ended attempt whole, and while one runs the pieces of output it writes. The
 * stream ends with the step; a finished step is read the same way (its attempts, then `end`).
 */
export function useStepLogs(runId: string, step: string): StepLogsState {
  const client = useApi();
  const [state, setState] = useState<StepLogsState>({ attempts: [], live: [], ended: false, error: undefined });
  useEffect(() => {
    const stop = new AbortController();
    setState({ attempts: [], live: [], ended: false, error: undefined });
    void (async () => {
      // The runner ends a stream it has held an hour, or when it stops, without `end`: come back
      // after the last attempt received (Last-Event-ID), as an EventSource would.
      let lastId: string | undefined;
      try {
        while (!stop.signal.aborted) {
          const { data: body } = await client.GET('/runner/runs/{id}/steps/{step}/logs', {
            params: { path: { id: runId, step } }, parseAs: 'stream', signal: stop.signal,
            headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
          });
          for await (const event of readEventStream(body, stop.signal)) {
            if (event.event === 'output') {
              const piece = JSON.parse(event.data) as LiveOutput;
              setState((previous) => ({ ...previous, live: [...previous.live, piece] }));
            } else if (event.event === 'attempt') {
              const attempt = JSON.parse(event.data) as AttemptLogs;
              lastId = event.id ?? lastId;
              // The attempt's record replaces the pieces that previewed it.
              setState((previous) => ({ ...previous, attempts: [...previous.attempts.filter((one) => one.attempt !== attempt.attempt), attempt], live: previous.live.filter((piece) => piece.attempt !== attempt.attempt) }));
            } else if (event.event === 'end') {
              setState((previous) => ({ ...previous, ended: true }));
              return;
            }
          }
          // Pieces of an attempt still running come again from its start on the next stream.
          setState((previous) => ({ ...previous, live: [] }));
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      } catch (error) {
        if (!stop.signal.aborted) setState((previous) => ({ ...previous, error }));
      }
    })();
    return () => stop.abort();
  }, [client, runId, step]);
  return state;
}
