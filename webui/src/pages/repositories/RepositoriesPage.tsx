import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure, useDocumentTitle } from '@mantine/hooks';
import { Link } from 'react-router';
import { useCan } from '../../api/me.js';
import { useSources, type SourceItem } from '../../api/repositories.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { AddSourceModal } from './AddSourceModal.js';

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function LastScan({ scan }: { scan: SourceItem['last_scan'] }) {
  if (!scan) return <Text size="sm" c="dimmed">Never scanned</Text>;
  return (
    <Group gap="xs" wrap="nowrap" data-scan-status={scan.status}>
      <StatusBadge status={scan.status} />
      {scan.status === 'done' && <Text size="sm">{plural(scan.action_count, 'action')}{scan.problem_count > 0 ? `, ${plural(scan.problem_count, 'problem')}` : ''}</Text>}
      {scan.commit && <Text size="xs" c="dimmed"><code>{scan.commit.slice(0, 12)}</code></Text>}
    </Group>
  );
}

/** The project's git sources: where actions come from. Developers add them here. */
export function RepositoriesPage() {
  useDocumentTitle('Trellis · Repositories');
  const canEdit = useCan('developer');
  const [adding, { open, close }] = useDisclosure(false);
  const { data: sources, error } = useSources();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">Repositories</Title>
        {canEdit && <Button onClick={open}>Add repository</Button>}
      </Group>
      <Text c="dimmed">Git repositories whose actions are scanned and built into the library.</Text>
      <ErrorAlert error={error} />
      {sources && sources.length === 0 && (
        <Text>{canEdit ? 'No repository yet: add one with "Add repository", then scan it to find its actions.' : 'No repository yet: a developer of the project adds them.'}</Text>
      )}
      {!sources && !error && <Text>Loading…</Text>}
      {sources && sources.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table withTableBorder highlightOnHover aria-label="Sources">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Git URL</Table.Th>
                <Table.Th scope="col">Branch</Table.Th>
                <Table.Th scope="col">Credentials</Table.Th>
                <Table.Th scope="col">Last scan</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sources.map((source) => (
                <Table.Tr key={source.id} data-source={source.name}>
                  <Table.Td><Anchor component={Link} to={`/repositories/${source.id}`} fw={600}>{source.name}</Anchor></Table.Td>
                  <Table.Td><Text size="sm" style={{ wordBreak: 'break-all' }}>{source.url}</Text></Table.Td>
                  <Table.Td>{source.branch ?? <Text span size="sm" c="dimmed">default</Text>}</Table.Td>
                  <Table.Td>{source.has_credentials ? `Set${source.username ? ` (${source.username})` : ''}` : <Text span size="sm" c="dimmed">None</Text>}</Table.Td>
                  <Table.Td><LastScan scan={source.last_scan} /></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canEdit && <AddSourceModal opened={adding} onClose={close} />}
    </Stack>
  );
}
