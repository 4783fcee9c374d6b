import { unwrap, type JsonBody, type paths } from '@trellis/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { allPages } from './pages.js';
import { useApi, useSession } from './session.js';

export type SourceItem = JsonBody<paths['/repository/sources']['get']['responses'][200]>['items'][number];
export type SourceDetail = JsonBody<paths['/repository/sources/{id}']['get']['responses'][200]>;
export type ScanDetail = JsonBody<paths['/repository/sources/{id}/scans/{scanId}']['get']['responses'][200]>;
export type ScannedAction = ScanDetail['actions'][number];
export type ScanProblem = ScanDetail['problems'][number];
export type SourceBuild = NonNullable<ScannedAction['build']>;
export type NewSource = NonNullable<paths['/repository/sources']['post']['requestBody']>['content']['application/json'];
export type SourceChange = NonNullable<paths['/repository/sources/{id}']['patch']['requestBody']>['content']['application/json'];

/** A scan or a build that has not ended yet: the page asks again until it has. */
export const isUnderWay = (status: string | undefined): boolean => status === 'queued' || status === 'running';

const POLL_MS = 1500;

/** Whether a source's page shows something still moving (its scan, or a build of an action it found). */
export function sourceIsBusy(source: SourceDetail | undefined): boolean {
  const scan = source?.last_scan;
  if (!scan) return false;
  return isUnderWay(scan.status) || scan.actions.some((action) => isUnderWay(action.build?.status));
}

/** Every source of the project, oldest first, each with its last scan. */
export function useSources() {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['sources', projectId],
    queryFn: async () => {
      return allPages((cursor) => unwrap(client.GET('/repository/sources', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } })));
    },
    refetchInterval: (query) => (query.state.data?.some((source) => isUnderWay(source.last_scan?.status)) ? POLL_MS : false),
  });
}

/** One source with its last scan (actions found with their build status, problems), kept fresh while it moves. */
export function useSource(sourceId: string) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['source', projectId, sourceId],
    queryFn: () => unwrap(client.GET('/repository/sources/{id}', { params: { path: { id: sourceId } } })),
    refetchInterval: (query) => (sourceIsBusy(query.state.data) ? POLL_MS : false),
  });
}

/** What changes a source (add, edit, delete, scan, build) reads again afterwards. */
function useRefresh() {
  const queryClient = useQueryClient();
  return (sourceId?: string) => Promise.all([
    queryClient.invalidateQueries({ queryKey: ['sources'] }),
    ...(sourceId ? [queryClient.invalidateQueries({ queryKey: ['source'] }), queryClient.invalidateQueries({ queryKey: ['builds'] })] : []),
  ]);
}

export function useAddSource() {
  const client = useApi();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: NewSource) => unwrap(client.POST('/repository/sources', { body })),
    onSuccess: () => refresh(),
  });
}

export function useChangeSource(sourceId: string) {
  const client = useApi();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: SourceChange) => unwrap(client.PATCH('/repository/sources/{id}', { params: { path: { id: sourceId } }, body })),
    onSuccess: () => refresh(sourceId),
  });
}

export function useDeleteSource(sourceId: string) {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.DELETE('/repository/sources/{id}', { params: { path: { id: sourceId } } })),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['source'] });
      await queryClient.invalidateQueries({ queryKey: ['sources'] });
    },
  });
}

export function useScan(sourceId: string) {
  const client = useApi();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: () => unwrap(client.POST('/repository/sources/{id}/scan', { params: { path: { id: sourceId } } })),
    onSuccess: () => refresh(sourceId),
  });
}

export function useCancelScan(sourceId: string) {
  const client = useApi();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (scanId: string) => unwrap(client.POST('/repository/sources/{id}/scans/{scanId}/cancel', { params: { path: { id: sourceId, scanId } } })),
    onSuccess: () => refresh(sourceId),
  });
}

/** Builds the actions named, or every valid action of the last scan when none is. */
export function useBuildActions(sourceId: string) {
  const client = useApi();
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (actions?: string[]) => unwrap(client.POST('/repository/sources/{id}/build', { params: { path: { id: sourceId } }, body: actions ? { actions } : {} })),
    onSuccess: () => refresh(sourceId),
  });
}
