import { Anchor, Button, Code, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import { Link, useParams } from 'react-router';
import { useBuild, useBuildLog, useCancelBuild, type Build } from '../../api/builds.js';
import { useCan, useMe } from '../../api/me.js';
import { isUnderWay } from '../../api/repositories.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';

const when = (time: string | null) => (time ? new Date(time).toLocaleString() : '—');

function Facts({ build }: { build: Build }) {
  const me = useMe().data;
  const asker = build.requested_by === me?.user.id ? 'you' : build.requested_by;
  return (
    <Stack gap={2}>
      <Text size="sm">From <Anchor component={Link} to={`/repositories/${build.source.id}`}>{build.source.name}</Anchor> · <code>{build.source.folder || '.'}</code> at <code>{build.source.commit.slice(0, 12)}</code></Text>
      <Text size="sm" c="dimmed">Asked {when(build.requested_at)} by {asker} · started {when(build.started_at)} · finished {when(build.finished_at)}{build.attempt > 1 ? ` · attempt ${build.attempt}` : ''}</Text>
      {build.artifact && <Text size="sm">Artifact <code>{build.artifact.digest.slice(0, 19)}</code> ({Math.ceil(build.artifact.size / 1024)} KiB)</Text>}
      {build.failure_reason && <Text size="sm" c="red" role="alert">{build.failure_reason}</Text>}
    </Stack>
  );
}

/** The log, followed live while the build runs (kept scrolled to its end), whole once it has ended. */
function Log({ build }: { build: Build }) {
  const ended = !isUnderWay(build.state);
  const log = useBuildLog(build.id, ended);
  const end = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (log.live) end.current?.scrollTo({ top: end.current.scrollHeight });
  }, [log.text, log.live]);
  return (
    <Stack component="section" aria-label="Log" gap="xs">
      <Group gap="xs">
        <Title order={2} size="h4">Log</Title>
        {log.live && <Group gap={4}><Loader size="xs" /><Text size="sm" c="dimmed">following</Text></Group>}
      </Group>
      <ErrorAlert error={log.error} />
      <Code block component="pre" ref={end} mah={560} style={{ overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-log-live={log.live}>
        {log.text || (ended ? 'The build wrote nothing.' : 'Waiting for the build to start…')}
      </Code>
    </Stack>
  );
}

/** One build of an action: its status, what it came from, its artifact or failure, and its log. */
export function BuildPage() {
  const { buildId = '' } = useParams();
  const canCancel = useCan('developer');
  const { data: build, error } = useBuild(buildId);
  const cancel = useCancelBuild(buildId);
  const label = build ? `${build.action.id}@${build.action.version}` : buildId;
  useDocumentTitle(`Trellis · Build ${label}`);
  return (
    <Stack>
      {build && <Anchor component={Link} to={`/repositories/${build.source.id}`} size="sm">← {build.source.name}</Anchor>}
      <ErrorAlert error={error} />
      {!build && !error && <Text>Loading…</Text>}
      {build && (
        <>
          <Group justify="space-between">
            <Group gap="sm">
              <Title order={1} size="h2">Build {label}</Title>
              <span data-build-status={build.state}><StatusBadge status={build.state} /></span>
              {build.cancel_requested && isUnderWay(build.state) && <Text size="sm" c="dimmed">stopping…</Text>}
            </Group>
            {canCancel && isUnderWay(build.state) && (
              <Button color="red" variant="light" onClick={() => cancel.mutate()} loading={cancel.isPending} disabled={build.cancel_requested}>Cancel</Button>
            )}
          </Group>
          <ErrorAlert error={cancel.error} />
          <Facts build={build} />
          <Log build={build} />
        </>
      )}
    </Stack>
  );
}
