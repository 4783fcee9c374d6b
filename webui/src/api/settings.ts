import { unwrap, type JsonBody, type paths } from '@trellis/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Role } from './me.js';
import { useApi, useSession } from './session.js';

/*
 * The current project's settings: variables and secrets (studio), API keys and members
 * (authorization). Every list is read whole, page after page (a project has tens of them, not
 * thousands); every change reads its list again.
 */

export type Variable = JsonBody<paths['/studio/variables']['get']['responses'][200]>['items'][number];
export type Secret = JsonBody<paths['/studio/secrets']['get']['responses'][200]>['items'][number];
export type ApiKey = JsonBody<paths['/authorization/projects/{projectId}/api-keys']['get']['responses'][200]>['items'][number];
export type CreatedApiKey = JsonBody<paths['/authorization/projects/{projectId}/api-keys']['post']['responses'][201]>;
export type Member = JsonBody<paths['/authorization/projects/{projectId}/members']['get']['responses'][200]>['items'][number];

export const ROLES: readonly Role[] = ['viewer', 'operator', 'developer', 'owner'];

/** Every page of a list that pages with `next` / `cursor`. */
export async function readAll<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; next: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    items.push(...answer.items);
    cursor = answer.next ?? undefined;
  } while (cursor);
  return items;
}

const page = (cursor: string | undefined) => ({ limit: 200, ...(cursor ? { cursor } : {}) });

/** The project the session acts in; the settings routes of authorization name it in their path. */
function useProjectId(): string {
  // The settings tabs show only with a current project; '' would be refused by the API's id check.
  return useSession().projectId ?? '';
}

export function useVariables() {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['variables', projectId],
    enabled: projectId !== null,
    queryFn: () => readAll((cursor) => unwrap(client.GET('/studio/variables', { params: { query: page(cursor) } }))),
  });
}

export function useSetVariable() {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, value }: { name: string; value: unknown }) =>
      unwrap(client.PUT('/studio/variables/{name}', { params: { path: { name } }, body: { value } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['variables'] }),
  });
}

export function useDeleteVariable() {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(client.DELETE('/studio/variables/{name}', { params: { path: { name } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['variables'] }),
  });
}

export function useSecrets() {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['secrets', projectId],
    enabled: projectId !== null,
    queryFn: () => readAll((cursor) => unwrap(client.GET('/studio/secrets', { params: { query: page(cursor) } }))),
  });
}

/** Sets or replaces a secret; the answer (and so this) never holds the value. */
export function useSetSecret() {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, value }: { name: string; value: string }) =>
      unwrap(client.PUT('/studio/secrets/{name}', { params: { path: { name } }, body: { value } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['secrets'] }),
  });
}

export function useDeleteSecret() {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(client.DELETE('/studio/secrets/{name}', { params: { path: { name } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['secrets'] }),
  });
}

/** The project's API keys (owners only: the API refuses anyone else, admins included). */
export function useApiKeys(enabled: boolean) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['api-keys', projectId],
    enabled: enabled && projectId !== null,
    queryFn: () => readAll((cursor) => unwrap(client.GET('/authorization/projects/{projectId}/api-keys', {
      params: { path: { projectId: projectId ?? '' }, query: page(cursor) },
    }))),
  });
}

/** Creates a key; the answer's `key` is its secret, which no later answer holds again. */
export function useCreateApiKey() {
  const client = useApi();
  const projectId = useProjectId();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; role: Role; expires_at: string | null }) =>
      unwrap(client.POST('/authorization/projects/{projectId}/api-keys', { params: { path: { projectId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export function useRevokeApiKey() {
  const client = useApi();
  const projectId = useProjectId();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => unwrap(client.DELETE('/authorization/projects/{projectId}/api-keys/{keyId}', { params: { path: { projectId, keyId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export function useMembers() {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['members', projectId],
    enabled: projectId !== null,
    queryFn: () => readAll((cursor) => unwrap(client.GET('/authorization/projects/{projectId}/members', {
      params: { path: { projectId: projectId ?? '' }, query: page(cursor) },
    }))),
  });
}

/** Members change what /me says of a person (their role): both are read again. */
function useMembersChanged() {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: ['members'] }), queryClient.invalidateQueries({ queryKey: ['me'] })]);
}

export function useAddMember() {
  const client = useApi();
  const projectId = useProjectId();
  const changed = useMembersChanged();
  return useMutation({
    mutationFn: ({ username, role }: { username: string; role: Role }) =>
      unwrap(client.POST('/authorization/projects/{projectId}/members', { params: { path: { projectId } }, body: { username, role } })),
    onSuccess: changed,
  });
}

export function useChangeMemberRole() {
  const client = useApi();
  const projectId = useProjectId();
  const changed = useMembersChanged();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(client.PATCH('/authorization/projects/{projectId}/members/{userId}', { params: { path: { projectId, userId } }, body: { role } })),
    onSuccess: changed,
  });
}

export function useRemoveMember() {
  const client = useApi();
  const projectId = useProjectId();
  const changed = useMembersChanged();
  return useMutation({
    mutationFn: (userId: string) => unwrap(client.DELETE('/authorization/projects/{projectId}/members/{userId}', { params: { path: { projectId, userId } } })),
    onSuccess: changed,
  });
}

/** My own account: the display name, and the password (which ends my other sessions). */
export function useUpdateMe() {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (displayName: string) => unwrap(client.PATCH('/authorization/me', { body: { display_name: displayName } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me'] }),
  });
}

export function useChangePassword() {
  const client = useApi();
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) => unwrap(client.POST('/authorization/me/password', { body })),
  });
}
