import { Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useDisclosure, useDocumentTitle } from '@mantine/hooks';
import { Link, useParams } from 'react-router';
import { useCan } from '../../api/me.js';
import { isUnderWay, sourceIsBusy, useCancelScan, useScan, useSource, type SourceDetail } from '../../api/repositories.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { DeleteSourceButton } from './DeleteSourceButton.js';
import { EditSourceModal } from './EditSourceModal.js';
import { FoundActions } from './FoundActions.js';
import { ScanProblems } from './ScanProblems.js';
import { SourceBuilds } from './SourceBuilds.js';

/** The last scan's status, commit and, when it failed, why; developers scan again (or stop a scan). */
function ScanStatus({ source, canScan }: { source: SourceDetail; canScan: boolean }) {
  const scan = useScan(source.id);
  const cancel = useCancelScan(source.id);
  const last = source.last_scan;
  return (
    <Stack gap="xs" component="section" aria-label="Last scan">
      <Group gap="sm">
        {last ? (
          <Group gap="xs" data-scan-status={last.status}>
            <Text fw={500}>Last scan</Text>
            <StatusBadge status={last.status} />
            {last.commit && <Text size="sm" c="dimmed">of {last.branch ?? 'the default branch'} at <code>{last.commit.slice(0, 12)}</code></Text>}
            {last.finished_at && <Text size="sm" c="dimmed">· {new Date(last.finished_at).toLocaleString()}</Text>}
          </Group>
        ) : <Text>Not scanned yet{canScan ? ': Scan finds its actions and the problems of their manifests.' : '.'}</Text>}
        {canScan && <Button onClick={() => scan.mutate()} loading={scan.isPending} disabled={isUnderWay(last?.status)}>Scan</Button>}
        {canScan && last && isUnderWay(last.status) && <Button variant="default" onClick={() => cancel.mutate(last.id)} loading={cancel.isPending}>Cancel scan</Button>}
      </Group>
      {last?.error && <Text c="red" role="alert">{last.error.message} ({last.error.code})</Text>}
      <ErrorAlert error={scan.error ?? cancel.error} />
    </Stack>
  );
}

function Header({ source, canEdit }: { source: SourceDetail; canEdit: boolean }) {
  const [editing, { open, close }] = useDisclosure(false);
  return (
    <Group justify="space-between" align="flex-start">
      <Stack gap={2}>
        <Title order={1} size="h2">{source.name}</Title>
        <Text size="sm" style={{ wordBreak: 'break-all' }}>{source.url}</Text>
        <Text size="sm" c="dimmed">
          Branch {source.branch ?? '(the default branch)'} · {source.has_credentials ? `Credentials set${source.username ? ` (${source.username})` : ''}` : 'No credentials'}
        </Text>
      </Stack>
      {source.managed ? (
        <Text size="sm" c="dimmed" maw={320}>The standard library: managed by Trellis and updated with it, so it cannot be edited or deleted.</Text>
      ) : canEdit && (
        <Group gap="xs">
          <Button variant="default" onClick={open}>Edit</Button>
          <DeleteSourceButton source={source} />
          <EditSourceModal key={source.updated_at} source={source} opened={editing} onClose={close} />
        </Group>
      )}
    </Group>
  );
}

/** One git source: its last scan (actions found, problems), building them, and its builds. */
export function SourcePage() {
  const { sourceId = '' } = useParams();
  const canEdit = useCan('developer');
  const { data: source, error } = useSource(sourceId);
  useDocumentTitle(`Trellis · ${source?.name ?? 'Repository'}`);
  return (
    <Stack>
      <Anchor component={Link} to="/repositories" size="sm">← Repositories</Anchor>
      <ErrorAlert error={error} />
      {!source && !error && <Text>Loading…</Text>}
      {source && (
        <>
          <Header source={source} canEdit={canEdit} />
          <ScanStatus source={source} canScan={canEdit} />
          {isUnderWay(source.last_scan?.status) && <Text c="dimmed">Scanning: the actions found and the problems show here when it is done.</Text>}
          {source.last_scan?.status === 'done' && (
            <>
              <FoundActions sourceId={source.id} actions={source.last_scan.actions} canBuild={canEdit} />
              <ScanProblems problems={source.last_scan.problems} />
            </>
          )}
          <SourceBuilds sourceId={source.id} expectMore={sourceIsBusy(source)} />
        </>
      )}
    </Stack>
  );
}
