import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useBuilds } from '../../api/builds.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';

const when = (time: string | null) => (time ? new Date(time).toLocaleString() : '—');

/** The source's builds as the builder knows them, newest first, followed while any moves. */
export function SourceBuilds({ sourceId, expectMore }: { sourceId: string; expectMore: boolean }) {
  const { data: builds, error } = useBuilds({ source: sourceId }, expectMore);
  return (
    <Stack component="section" aria-label="Builds" gap="xs">
      <Title order={2} size="h4">Builds</Title>
      <ErrorAlert error={error} />
      {builds && builds.length === 0 && <Text c="dimmed">No build yet: build an action found above.</Text>}
      {builds && builds.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Build</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Asked</Table.Th>
                <Table.Th scope="col">Finished</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {builds.map((build) => (
                <Table.Tr key={build.id} data-build={build.id}>
                  <Table.Td><Anchor component={Link} to={`/builds/${build.id}`}>{build.action.id}@{build.action.version}</Anchor></Table.Td>
                  <Table.Td><StatusBadge status={build.state} /></Table.Td>
                  <Table.Td><Text size="sm">{when(build.requested_at)}</Text></Table.Td>
                  <Table.Td><Text size="sm">{when(build.finished_at)}</Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
