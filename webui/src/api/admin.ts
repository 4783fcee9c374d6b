import { unwrap, type JsonBody, type paths } from '@trellis/sdk';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { readAll } from './settings.js';
import { useApi } from './session.js';

/*
 * The instance's administration (admins only, the API's rule): users, projects and the
 * security audit log. Users and projects are read whole; the audit log a page at a time.
 */

export type User = JsonBody<paths['/authorization/users']['get']['responses'][200]>['items'][number];
export type Project = JsonBody<paths['/authorization/projects']['get']['responses'][200]>['items'][number];
export type AuditEntry = JsonBody<paths['/authorization/audit']['get']['responses'][200]>['items'][number];
export type AuditType = AuditEntry['type'];
export type AuditFilter = { type?: AuditType; user_id?: string; since?: string; until?: string };

export const AUDIT_TYPES: readonly AuditType[] = [
  'login', 'logout', 'refresh_token_reused', 'project_switched', 'user_created', 'user_updated', 'user_deleted', 'password_changed',
  'project_created', 'project_updated', 'project_deleted', 'membership_changed', 'api_key_created', 'api_key_revoked', 'signing_key_rotated',
];

const page = (cursor: string | undefined) => ({ limit: 200, ...(cursor ? { cursor } : {}) });

export function useUsers(enabled = true) {
  const client = useApi();
  return useQuery({
    queryKey: ['users'],
    enabled,
    queryFn: () => readAll((cursor) => unwrap(client.GET('/authorization/users', { params: { query: page(cursor) } }))),
  });
}

export function useCreateUser() {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { username: string; password: string; display_name?: string; is_admin: boolean }) =>
      unwrap(client.POST('/authorization/users', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}

/** Disables or enables a user, makes them admin or not, or resets their password (their sessions end). */
export function useUpdateUser() {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, ...body }: { userId: string; disabled?: boolean; is_admin?: boolean; password?: string }) =>
      unwrap(client.PATCH('/authorization/users/{userId}', { params: { path: { userId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useDeleteUser() {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => unwrap(client.DELETE('/authorization/users/{userId}', { params: { path: { userId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useProjects(enabled = true) {
  const client = useApi();
  return useQuery({
    queryKey: ['projects'],
    enabled,
    queryFn: () => readAll((cursor) => unwrap(client.GET('/authorization/projects', { params: { query: page(cursor) } }))),
  });
}

/** Projects also show in the project switcher (/me): both are read again after a change. */
function useProjectsChanged() {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: ['projects'] }), queryClient.invalidateQueries({ queryKey: ['me'] })]);
}

export function useCreateProject() {
  const client = useApi();
  const changed = useProjectsChanged();
  return useMutation({
    mutationFn: (body: { name: string; title: string | null }) => unwrap(client.POST('/authorization/projects', { body })),
    onSuccess: changed,
  });
}

export function useRenameProject() {
  const client = useApi();
  const changed = useProjectsChanged();
  return useMutation({
    mutationFn: ({ projectId, title }: { projectId: string; title: string | null }) =>
      unwrap(client.PATCH('/authorization/projects/{projectId}', { params: { path: { projectId } }, body: { title } })),
    onSuccess: changed,
  });
}

export function useDeleteProject() {
  const client = useApi();
  const changed = useProjectsChanged();
  return useMutation({
    mutationFn: (projectId: string) => unwrap(client.DELETE('/authorization/projects/{projectId}', { params: { path: { projectId } } })),
    onSuccess: changed,
  });
}

/** The audit log, newest first, filtered as the API filters it; `fetchNextPage` reads the next page (the cursor). */
export function useAuditLog(filter: AuditFilter) {
  const client = useApi();
  return useInfiniteQuery({
    queryKey: ['audit', filter],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(client.GET('/authorization/audit', {
      params: { query: { limit: 50, ...filter, ...(pageParam ? { cursor: pageParam } : {}) } },
    })),
    getNextPageParam: (last) => last.next ?? undefined,
  });
}
