import { unwrap, type JsonBody, type paths } from '@trellis/sdk';
import { useQuery } from '@tanstack/react-query';
import { useApi, useSession } from './session.js';

export type Me = JsonBody<paths['/authorization/me']['get']['responses'][200]>;
export type Role = 'viewer' | 'operator' | 'developer' | 'owner';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, developer: 2, owner: 3 };

/** The logged-in person, their projects and their role in the current one. */
export function useMe() {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({ queryKey: ['me', projectId], queryFn: () => unwrap(client.GET('/authorization/me')) });
}

/** Whether the current role allows what needs `role` (edit controls are hidden otherwise). */
export function useCan(role: Role): boolean {
  const me = useMe().data;
  const current = me?.current_project?.role as Role | undefined;
  return current !== undefined && RANK[current] >= RANK[role];
}
