import { Anchor, Button, Group, Menu, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { RUN_STATUSES, useRuns, type RunFilter, type RunItem, type RunStatus } from '../../api/runs.js';
import { useWorkflows } from '../../api/workflows.js';
import { useCan } from '../../api/me.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { formatDuration } from '../../ui/gantt.js';
import { Status } from './Status.js';
import { when } from './format.js';

/** A `datetime-local` field's text (local time) as an instant for the API; undefined when empty or unreadable. */
function instant(local: string | null): string | undefined {
  if (!local) return undefined;
  const time = new Date(local).getTime();
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Picks a deployed workflow to start a run of (its form asks for the inputs). */
function StartRunMenu() {
  const { data: workflows } = useWorkflows();
  const navigate = useNavigate();
  const runnable = (workflows ?? []).filter((workflow) => workflow.deployment?.serving_version != null);
  return (
    <Menu position="bottom-end">
      <Menu.Target><Button>Start a run</Button></Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Deployed workflows</Menu.Label>
        {runnable.length === 0 && <Menu.Item disabled>None yet: deploy a workflow first</Menu.Item>}
        {runnable.map((workflow) => (
          <Menu.Item key={workflow.id} onClick={() => void navigate(`/workflows/${encodeURIComponent(workflow.id)}/run`)}>{workflow.title || workflow.name}</Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function RunRow({ run }: { run: RunItem }) {
  const navigate = useNavigate();
  const to = `/runs/${encodeURIComponent(run.id)}`;
  return (
    <Table.Tr data-run-id={run.id} style={{ cursor: 'pointer' }} onClick={(event) => { if (!(event.target as HTMLElement).closest('a')) void navigate(to); }}>
      <Table.Td><Status status={run.status} /></Table.Td>
      <Table.Td><Anchor component={Link} to={to} aria-label={`Run ${run.id} of ${run.workflow}`}>{run.workflow}</Anchor> <Text span size="xs" c="dimmed">v{run.version}</Text></Table.Td>
      <Table.Td>{run.trigger}{run.rerun_of ? <Text span size="xs" c="dimmed"> (re-run)</Text> : null}</Table.Td>
      <Table.Td>{when(run.started_at ?? run.created_at)}</Table.Td>
      <Table.Td>{run.duration_ms === null && run.status === 'running' ? 'running' : formatDuration(run.duration_ms)}</Table.Td>
      <Table.Td><Text size="xs" ff="monospace" c="dimmed">{run.id.slice(0, 8)}</Text></Table.Td>
    </Table.Tr>
  );
}

/** The project's runs, newest first, filtered, read again every 2 s; a row opens the run. */
export function RunsPage() {
  useDocumentTitle('Trellis · Runs');
  const [params, setParams] = useSearchParams();
  const canOperate = useCan('operator');
  const set = (name: string, value: string | null) => setParams((previous) => {
    const next = new URLSearchParams(previous);
    if (value) next.set(name, value);
    else next.delete(name);
    return next;
  }, { replace: true });
  const filter: RunFilter = {
    ...(params.get('workflow') ? { workflow: params.get('workflow') ?? '' } : {}),
    ...(params.get('status') ? { status: params.get('status') as RunStatus } : {}),
    ...(instant(params.get('from')) ? { since: instant(params.get('from')) } : {}),
    ...(instant(params.get('to')) ? { until: instant(params.get('to')) } : {}),
  };
  const filtered = Object.keys(filter).length > 0;
  const workflows = useWorkflows();
  const runs = useRuns(filter);
  const items = runs.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">Runs</Title>
        {canOperate && <StartRunMenu />}
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} role="group" aria-label="Filters">
        <Select label="Workflow" placeholder="All workflows" clearable searchable
          data={(workflows.data ?? []).map((workflow) => ({ value: workflow.id, label: workflow.name }))}
          value={params.get('workflow')} onChange={(value) => set('workflow', value)} />
        <Select label="Status" placeholder="Any status" clearable data={[...RUN_STATUSES]}
          value={params.get('status')} onChange={(value) => set('status', value)} />
        <TextInput label="From" type="datetime-local" value={params.get('from') ?? ''} onChange={(event) => set('from', event.currentTarget.value)} />
        <TextInput label="To" type="datetime-local" value={params.get('to') ?? ''} onChange={(event) => set('to', event.currentTarget.value)} />
      </SimpleGrid>
      <ErrorAlert error={runs.error} />
      {runs.data && items.length === 0 && (
        <Text>{filtered ? 'No run matches these filters: widen them or clear them.' : 'No run yet: deploy a workflow, then start a run from here, its trigger or the CLI.'}</Text>
      )}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Runs" highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Status</Table.Th><Table.Th scope="col">Workflow</Table.Th><Table.Th scope="col">Trigger</Table.Th>
                <Table.Th scope="col">Started</Table.Th><Table.Th scope="col">Duration</Table.Th><Table.Th scope="col">Run</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>{items.map((run) => <RunRow key={run.id} run={run} />)}</Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {runs.hasNextPage && (
        <Button variant="default" onClick={() => void runs.fetchNextPage()} loading={runs.isFetchingNextPage} w="fit-content">Load more</Button>
      )}
    </Stack>
  );
}
