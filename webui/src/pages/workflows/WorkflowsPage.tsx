import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { Link } from 'react-router';
import { useCan } from '../../api/me.js';
import { useWorkflowProblems, useWorkflows } from '../../api/workflows.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';

const TRIGGERS: Record<string, string> = { http: 'HTTP', manual: 'Manual', schedule: 'Schedule', action: 'Trigger action' };

/** The list does not carry problems: each row asks for its draft's (they change with the library). */
function ProblemCount({ id }: { id: string }) {
  const problems = useWorkflowProblems(id).data;
  return <Table.Td data-problems={problems?.length ?? ''}>{problems === undefined ? '…' : problems.length === 0 ? 'none' : problems.length}</Table.Td>;
}

/** The project's workflows: deployment, version and problems at a glance. */
export function WorkflowsPage() {
  useDocumentTitle('Trellis · Workflows');
  const canEdit = useCan('developer');
  const workflows = useWorkflows();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">Workflows</Title>
        {canEdit && <Button component={Link} to="/workflows/new">New workflow</Button>}
      </Group>
      <ErrorAlert error={workflows.error} />
      {workflows.data && workflows.data.length === 0 && (
        <Text>{canEdit ? 'No workflow yet: create one with "New workflow", or import a YAML file with the CLI.' : 'No workflow yet.'}</Text>
      )}
      {workflows.data && workflows.data.length > 0 && (
        <Table aria-label="Workflows" striped highlightOnHover>
          <Table.Thead>
            <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Trigger</Table.Th><Table.Th>Deployment</Table.Th><Table.Th>Version</Table.Th><Table.Th>Problems</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {workflows.data.map((workflow) => (
                <Table.Tr key={workflow.id} data-workflow={workflow.name}>
                  <Table.Td>
                    <Anchor component={Link} to={`/workflows/${workflow.id}`}>{workflow.name}</Anchor>
                    {workflow.title && <Text size="xs" c="dimmed">{workflow.title}</Text>}
                  </Table.Td>
                  <Table.Td>{TRIGGERS[workflow.trigger_type ?? ''] ?? '—'}{workflow.http_path ? ` /${workflow.http_path}` : ''}</Table.Td>
                  <Table.Td data-deploy-status={workflow.deployment?.status ?? 'undeployed'}><StatusBadge status={workflow.deployment?.status ?? 'undeployed'} /></Table.Td>
                  <Table.Td>{workflow.deployment?.serving_version ?? workflow.latest_version ?? '—'}</Table.Td>
                  <ProblemCount id={workflow.id} />
                </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
