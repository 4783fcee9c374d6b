import { readEventStream, unwrap, type JsonBody, type paths } from '@trellis/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { isUnderWay } from './repositories.js';
import { useApi, useSession } from './session.js';

export type Build = JsonBody<paths['/builder/builds/{id}']['get']['responses'][200]>;

const POLL_MS = 1500;

/**
 * The builds of a source, newest first (the first page), kept fresh while any is queued or
 * running, or while `expectMore` (a build just asked for that the builder has not heard of yet).
 */
export function useBuilds(filter: { source?: string; action?: string }, expectMore = false) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['builds', projectId, filter],
    queryFn: async () => (await unwrap(client.GET('/builder/builds', { params: { query: { limit: 50, ...filter } } }))).items,
    refetchInterval: (query) => (expectMore || query.state.data?.some((build) => isUnderWay(build.state)) ? POLL_MS : false),
  });
}

/** One build, asked again while it is queued or running. */
export function useBuild(buildId: string) {
  const client = useApi();
  const { projectId } = useSession();
  return useQuery({
    queryKey: ['build', projectId, buildId],
    queryFn: () => unwrap(client.GET('/builder/builds/{id}', { params: { path: { id: buildId } } })),
    refetchInterval: (query) => (isUnderWay(query.state.data?.state) ? POLL_MS : false),
  });
}

export function useCancelBuild(buildId: string) {
  const client = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST('/builder/builds/{id}/cancel', { params: { path: { id: buildId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['build'] }),
  });
}

export type BuildLog = { text: string; live: boolean; error: unknown };

/**
 * A build's log: while the build runs, followed line by line as Server-Sent Events (each event
 * one line; `end` once the build has ended); once it has ended, the whole text as the API keeps it.
 */
export function useBuildLog(buildId: string, ended: boolean | undefined): BuildLog {
  const client = useApi();
  const queryClient = useQueryClient();
  const [log, setLog] = useState<BuildLog>({ text: '', live: false, error: undefined });
  useEffect(() => {
    if (ended === undefined) return undefined;
    const stop = new AbortController();
    const read = async () => {
      if (ended) {
        const { data } = await client.GET('/builder/builds/{id}/logs', { params: { path: { id: buildId } }, parseAs: 'text', signal: stop.signal });
        setLog({ text: data ?? '', live: false, error: undefined });
        return;
      }
      const { data: body } = await client.GET('/builder/builds/{id}/logs', {
        params: { path: { id: buildId } }, headers: { accept: 'text/event-stream' }, parseAs: 'stream', signal: stop.signal,
      });
      const lines: string[] = [];
      setLog({ text: '', live: true, error: undefined });
      for await (const event of readEventStream(body, stop.signal)) {
        if (event.event === 'end') break;
        lines.push(event.data);
        setLog({ text: `${lines.join('\n')}\n`, live: true, error: undefined });
      }
      // The build has ended: its state (and then the stored full log) is read again.
      if (!stop.signal.aborted) await queryClient.invalidateQueries({ queryKey: ['build'] });
    };
    read().catch((error: unknown) => {
      if (!stop.signal.aborted) setLog((previous) => ({ ...previous, live: false, error }));
    });
    return () => stop.abort();
  }, [client, queryClient, buildId, ended]);
  return log;
}
