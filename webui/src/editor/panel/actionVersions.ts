import { useQuery } from '@tanstack/react-query';
import { unwrap } from '@trellis/sdk';
import { useApi, useSession } from '../../api/session.js';

/** Every built version of an action, each with its own inputs and outputs (a step pinned to an older one shows that one's). */
export function useActionVersions(actionId: string | undefined) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['action-versions', projectId, actionId],
    enabled: actionId !== undefined && actionId !== '',
    staleTime: 60_000,
    queryFn: async () => (await unwrap(client.GET('/studio/actions/{actionId}', { params: { path: { actionId: actionId ?? '' } } }))).versions,
  });
}

/** `add-one@1.0.0` → { id: 'add-one', version: '1.0.0' }; a bare id has no version (pinned to the newest on save). */
export function splitAction(reference: string | undefined): { id: string | undefined; version: string | undefined } {
  if (!reference) return { id: undefined, version: undefined };
  const at = reference.indexOf('@');
  return at < 0 ? { id: reference, version: undefined } : { id: reference.slice(0, at), version: reference.slice(at + 1) };
}
