import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useBuildActions, type ScannedAction } from '../../api/repositories.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';

function BuildStatus({ build }: { build: ScannedAction['build'] }) {
  if (!build) return <Text size="sm" c="dimmed">Not built</Text>;
  return (
    <Group gap="xs" wrap="nowrap">
      <Anchor component={Link} to={`/builds/${build.id}`} aria-label={`Build of ${build.action_id}@${build.version}: ${build.status}`}><StatusBadge status={build.status} /></Anchor>
      {build.reason && <Text size="xs" c="red">{build.reason}</Text>}
    </Group>
  );
}

/** The actions the last scan found, each with its latest build; developers build one or all. */
export function FoundActions({ sourceId, actions, canBuild }: { sourceId: string; actions: readonly ScannedAction[]; canBuild: boolean }) {
  const build = useBuildActions(sourceId);
  const building = (id?: string) => build.isPending && (id === undefined ? build.variables === undefined : build.variables?.includes(id) === true);
  return (
    <Stack component="section" aria-label="Actions found" gap="xs">
      <Group justify="space-between">
        <Title order={2} size="h4">Actions found</Title>
        {canBuild && actions.length > 0 && <Button variant="light" onClick={() => build.mutate(undefined)} loading={building()}>Build all</Button>}
      </Group>
      <ErrorAlert error={build.error} />
      {actions.length === 0 ? <Text c="dimmed">No action found: an action is a folder with a trellis.yaml (or ryax_metadata.yaml).</Text> : (
        <Table.ScrollContainer minWidth={720}>
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Action</Table.Th>
                <Table.Th scope="col">Version</Table.Th>
                <Table.Th scope="col">Kind</Table.Th>
                <Table.Th scope="col">Runtime</Table.Th>
                <Table.Th scope="col">Folder</Table.Th>
                <Table.Th scope="col">Latest build</Table.Th>
                {canBuild && <Table.Th scope="col">Build</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {actions.map((action) => (
                <Table.Tr key={action.id} data-found-action={action.id}>
                  <Table.Td>{action.build?.status === 'built' ? <Anchor component={Link} to={`/library/${encodeURIComponent(action.id)}`} fw={600}>{action.id}</Anchor> : <Text fw={600}>{action.id}</Text>}<Text size="xs" c="dimmed">{action.name}{action.change !== 'unchanged' ? ` · ${action.change}` : ''}</Text></Table.Td>
                  <Table.Td>{action.version}</Table.Td>
                  <Table.Td>{action.kind}</Table.Td>
                  <Table.Td>{action.runtime}</Table.Td>
                  <Table.Td><code>{action.folder || '.'}</code></Table.Td>
                  <Table.Td><BuildStatus build={action.build} /></Table.Td>
                  {canBuild && (
                    <Table.Td>
                      <Button size="xs" variant="default" aria-label={`Build ${action.id}`} loading={building(action.id)} onClick={() => build.mutate([action.id])}>Build</Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
