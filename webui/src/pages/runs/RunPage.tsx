import { Alert, Anchor, Button, Code, Grid, Group, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useDocumentTitle, useInterval } from '@mantine/hooks';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useCan } from '../../api/me.js';
import { isFinished, useCancelRun, useRerun, useRun, useVersionDocument, type RunDetail, type RunStep } from '../../api/runs.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { formatDuration, timelineOf } from '../../ui/gantt.js';
import { RunGraph } from '../../ui/RunGraph.js';
import { Status } from './Status.js';
import { Timeline } from '../../ui/Timeline.js';
import { dagEdges } from './dag.js';
import { when } from './format.js';
import { StepPanel } from './StepPanel.js';

/** Cancel while it runs; re-run (from the start, or from where it failed) once it has ended. */
function RunActions({ run }: { run: RunDetail }) {
  const navigate = useNavigate();
  const cancel = useCancelRun(run.id);
  const rerun = useRerun(run.id);
  const again = (from: 'start' | 'failed') => rerun.mutateAsync(from).then((id) => navigate(`/runs/${encodeURIComponent(id)}`)).catch(() => undefined);
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {!isFinished(run.status) && <Button color="red" variant="light" loading={cancel.isPending} onClick={() => cancel.mutate()}>Cancel</Button>}
        {isFinished(run.status) && <Button variant="default" loading={rerun.isPending && rerun.variables === 'start'} onClick={() => void again('start')}>Re-run</Button>}
        {run.status === 'failed' && <Button loading={rerun.isPending && rerun.variables === 'failed'} onClick={() => void again('failed')}>Re-run from failed</Button>}
      </Group>
      <ErrorAlert error={cancel.error ?? rerun.error} />
    </Stack>
  );
}

/** What the run gave back, or why it failed: at the top of the page. */
function Outcome({ run }: { run: RunDetail }) {
  if (run.error) {
    const step = typeof run.error.step === 'string' ? run.error.step : undefined;
    return (
      <Alert color="red" title={`The run failed: ${run.error.code}`} role="alert" data-run-error={run.error.code}>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{run.error.message}</Text>
        {step && <Text size="sm">At the step <Code>{step}</Code>.</Text>}
      </Alert>
    );
  }
  if (run.status === 'succeeded') {
    return (
      <section aria-label="Results">
        <Title order={2} size="h4" mb={4}>Results</Title>
        {run.results && Object.keys(run.results).length > 0
          ? <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{JSON.stringify(run.results, null, 2)}</Code>
          : <Text c="dimmed" size="sm">The workflow declares no result.</Text>}
      </section>
    );
  }
  return null;
}

function StepsList({ steps, selected, onSelect }: { steps: readonly RunStep[]; selected: string | undefined; onSelect: (id: string) => void }) {
  return (
    <section aria-label="Steps">
      <Title order={2} size="h4" mb="xs">Steps</Title>
      <Stack gap={4} role="list">
        {steps.map((step) => (
          <div key={step.id} role="listitem">
          <UnstyledButton w="100%" onClick={() => onSelect(step.id)} aria-current={step.id === selected ? 'true' : undefined} data-step={step.id}
            p="xs" style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 6, background: step.id === selected ? 'var(--mantine-color-default-hover)' : undefined }}>
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Text size="sm" fw={600} truncate="end">{step.id}</Text>
                <Text size="xs" c="dimmed" truncate="end">{step.action || (step.signal ? `wait for ${step.signal}` : 'delay')} · {formatDuration(step.duration_ms)}</Text>
                {step.error && <Text size="xs" c="red">{step.error.code}: {step.error.message}</Text>}
              </Stack>
              <Status status={step.status} />
            </Group>
          </UnstyledButton>
          </div>
        ))}
      </Stack>
    </section>
  );
}

/** One run, live: status, results or error, the DAG by status, the timeline, the steps and the chosen step's panel. */
export function RunPage() {
  const { runId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const canOperate = useCan('operator');
  const { data: run, error } = useRun(runId);
  const documentQuery = useVersionDocument(run?.workflow_id, run?.version);
  useDocumentTitle(`Trellis · Run ${runId.slice(0, 8)}${run ? ` (${run.status})` : ''}`);
  // The timeline's running bars grow with the clock between two reads of the run.
  const [now, setNow] = useState(() => Date.now());
  const ticker = useInterval(() => setNow(Date.now()), 1000);
  useEffect(() => {
    if (run && !isFinished(run.status)) ticker.start();
    else ticker.stop();
    return ticker.stop;
  }, [run, ticker]);
  const edges = useMemo(() => dagEdges(documentQuery.data?.steps ?? []), [documentQuery.data]);
  const selected = params.get('step') ?? undefined;
  const select = (id: string | undefined) => setParams((previous) => {
    const next = new URLSearchParams(previous);
    if (id) next.set('step', id);
    else next.delete('step');
    return next;
  }, { replace: true });

  if (error) return <Stack><Anchor component={Link} to="/runs" size="sm">← Runs</Anchor><ErrorAlert error={error} /></Stack>;
  if (!run) return <Text>Loading…</Text>;
  const step = run.steps.find((candidate) => candidate.id === selected) ?? run.compensations.find((candidate) => candidate.id === selected);
  const timeline = timelineOf(run, [...run.steps, ...run.compensations], run.finished_at ? Date.parse(run.finished_at) : now);
  return (
    <Stack>
      <Anchor component={Link} to="/runs" size="sm">← Runs</Anchor>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="xs">
            <Title order={1} size="h2">Run <Text span inherit ff="monospace">{run.id.slice(0, 8)}</Text></Title>
            <Status status={run.status} data-run-status={run.status} />
          </Group>
          <Text size="sm" c="dimmed">
            <Anchor component={Link} to={`/workflows/${encodeURIComponent(run.workflow_id)}`} size="sm">{run.workflow}</Anchor> v{run.version}
            {' · '}{run.trigger}{run.scheduled_at ? ` (tick ${when(run.scheduled_at)})` : ''}
            {' · started '}{when(run.started_at ?? run.created_at)}{' · '}{run.duration_ms !== null ? formatDuration(run.duration_ms) : 'running'}
            {run.rerun_of && <>{' · re-run of '}<Anchor component={Link} to={`/runs/${encodeURIComponent(run.rerun_of)}`} size="sm">{run.rerun_of.slice(0, 8)}</Anchor></>}
          </Text>
        </Stack>
        {canOperate && <RunActions run={run} />}
      </Group>
      <Outcome run={run} />
      <section aria-label="Run graph">
        <Title order={2} size="h4" mb="xs">Graph</Title>
        <ErrorAlert error={documentQuery.error} />
        <RunGraph
          steps={run.steps.map((one) => ({ id: one.id, label: one.action || (one.signal ? `wait for ${one.signal}` : 'delay'), status: one.status }))}
          edges={edges} selected={selected} onSelect={select}
        />
      </section>
      <section aria-label="Timeline">
        <Title order={2} size="h4" mb="xs">Timeline</Title>
        <Timeline timeline={timeline} />
      </section>
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <StepsList steps={[...run.steps, ...run.compensations]} selected={selected} onSelect={select} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {step
            ? <StepPanel runId={run.id} step={step} onClose={() => select(undefined)} />
            : <Text c="dimmed" size="sm" mt="xl">Choose a step (in the graph or the list) to see its inputs, outputs, logs and attempts.</Text>}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
