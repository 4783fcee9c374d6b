import { Anchor, Badge, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { Link, useNavigate, useParams } from 'react-router';
import { useAction, type ActionPort } from '../../api/library.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { ActionLogo } from './ActionLogo.js';

function Ports({ title, ports }: { title: string; ports: readonly ActionPort[] }) {
  return (
    <section aria-label={title}>
      <Title order={2} size="h4" mb="xs">{title}</Title>
      {ports.length === 0 ? <Text c="dimmed">None</Text> : (
        <Table withTableBorder>
          <Table.Thead><Table.Tr><Table.Th scope="col">Name</Table.Th><Table.Th scope="col">Type</Table.Th><Table.Th scope="col">Help</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {ports.map((port) => (
              <Table.Tr key={port.name} data-port={port.name}>
                <Table.Td><code>{port.name}</code>{port.optional ? <Text span size="xs" c="dimmed"> (optional)</Text> : null}</Table.Td>
                <Table.Td><Badge variant="light" color="gray" data-type={port.type}>{port.type}</Badge>{port.values ? <Text span size="xs"> {port.values.join(' | ')}</Text> : null}</Table.Td>
                <Table.Td>{port.help}{port.default !== undefined ? <Text span size="xs" c="dimmed"> Default: {JSON.stringify(port.default)}</Text> : null}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}

/** One action: its versions, and the chosen version's inputs and outputs with their types and help. */
export function ActionPage() {
  const { actionId = '', version } = useParams();
  const navigate = useNavigate();
  const { data, error } = useAction(actionId, version);
  useDocumentTitle(`Trellis · ${data?.shown.name ?? actionId}`);
  if (error) return <ErrorAlert error={error} />;
  if (!data) return <Text>Loading…</Text>;
  const { action, shown } = data;
  return (
    <Stack>
      <Anchor component={Link} to="/library" size="sm">← Library</Anchor>
      <Group wrap="nowrap">
        <ActionLogo actionId={action.id} name={shown.name} hasLogo={Boolean(shown.logo_url)} size={56} />
        <Stack gap={2}>
          <Title order={1} size="h2">{shown.name}</Title>
          <Text size="sm" c="dimmed">{shown.id} · {shown.kind} · {shown.runtime} · {shown.format} format</Text>
        </Stack>
      </Group>
      <Text>{shown.description}</Text>
      <Select
        label="Version" w={200} allowDeselect={false}
        data={action.versions.map((entry) => entry.version)} value={shown.version}
        onChange={(value) => { if (value) void navigate(`/library/${encodeURIComponent(action.id)}/${encodeURIComponent(value)}`); }}
      />
      <Text size="sm" c="dimmed">Built {new Date(shown.built_at).toLocaleString()} · digest <code>{shown.digest.slice(0, 12)}</code> · from <code>{shown.source.folder}</code> at <code>{shown.source.commit.slice(0, 12)}</code></Text>
      <Ports title="Inputs" ports={shown.inputs} />
      <Ports title="Outputs" ports={shown.outputs} />
    </Stack>
  );
}
