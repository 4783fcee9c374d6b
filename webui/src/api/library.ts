import { unwrap, type JsonBody, type paths } from '@trellis/sdk';
import { useQuery } from '@tanstack/react-query';
import { allPages } from './pages.js';
import { useApi, useSession } from './session.js';

export type ActionSummary = JsonBody<paths['/studio/actions']['get']['responses'][200]>['items'][number];
export type ActionDetail = JsonBody<paths['/studio/actions/{actionId}']['get']['responses'][200]>;
export type ActionPort = ActionSummary['inputs'][number];

/** The project's library (the latest version of each action), filtered as the API filters it. */
export function useActions(filter: { search?: string; category?: string }) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['actions', projectId, filter],
    queryFn: async () => {
      return allPages((cursor) => unwrap(client.GET('/studio/actions', { params: { query: { limit: 200, ...(filter.search ? { search: filter.search } : {}), ...(filter.category ? { category: filter.category } : {}), ...(cursor ? { cursor } : {}) } } })));
    },
    placeholderData: (previous) => previous,
  });
}

/** An action with every version it has; one version's manifest when `version` is given. */
export function useAction(actionId: string, version?: string) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['action', projectId, actionId, version ?? 'latest'],
    queryFn: async () => {
      const action = await unwrap(client.GET('/studio/actions/{actionId}', { params: { path: { actionId } } }));
      if (!version || version === action.version) return { action, shown: action as Omit<ActionDetail, 'versions'> };
      const shown = await unwrap(client.GET('/studio/actions/{actionId}/versions/{version}', { params: { path: { actionId, version } } }));
      return { action, shown };
    },
  });
}

/**
 * An action's logo as an object URL: the logo route needs the bearer credential, which an
 * <img src> would not send, so it is read through the SDK.
 */
export function useLogo(actionId: string, hasLogo: boolean) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['logo', projectId, actionId],
    enabled: hasLogo,
    staleTime: 300_000,
    queryFn: async () => {
      const { data } = await client.GET('/studio/actions/{actionId}/logo', { params: { path: { actionId } }, parseAs: 'blob' });
      return data ? URL.createObjectURL(data as Blob) : null;
    },
  });
}
