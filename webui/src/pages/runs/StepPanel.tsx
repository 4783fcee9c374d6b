import { Alert, Badge, Button, Code, Group, Select, Stack, Table, Tabs, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { useCan } from '../../api/me.js';
import { useDownloadOutput, useReadOutput, useSendSignal, useStepLogs, type AttemptLogs, type RunStep } from '../../api/runs.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { formatDuration } from '../../ui/gantt.js';
import { Status } from './Status.js';
import { when } from './format.js';

type StoredFile = { name: string; size: number; content_type: string };

/** A file (or directory) output as the runs API shows it: `{name, size, content_type}`. */
function isFile(value: unknown): value is StoredFile {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value).sort().join(',');
  return keys === 'content_type,name,size';
}

export function StepError({ error }: { error: RunStep['error'] }) {
  if (!error) return null;
  return (
    <Alert color="red" title={`Failed: ${error.code}`} data-error-code={error.code}>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{error.message}</Text>
    </Alert>
  );
}

/** A value too large to be kept in the run's row (`{"$large": true, "size": n}`). */
function isLarge(value: unknown): value is { $large: true; size: number } {
  return value !== null && typeof value === 'object' && (value as { $large?: unknown }).$large === true;
}

/** A large output, read whole only when asked (it may be megabytes). */
function LargeOutput({ size, read }: { size: number; read: () => Promise<unknown> }) {
  const [value, setValue] = useState<{ shown: unknown }>();
  const [error, setError] = useState<unknown>();
  if (value) return <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', maxHeight: 400, overflow: 'auto' }}>{JSON.stringify(value.shown, null, 2)}</Code>;
  return (
    <Stack gap={4}>
      <Group gap="xs"><Button size="xs" variant="light" onClick={() => { read().then((shown) => setValue({ shown }), setError); }}>Show the value</Button><Text size="xs" c="dimmed">{size} bytes, kept apart</Text></Group>
      <ErrorAlert error={error} />
    </Stack>
  );
}

function Values({ values, empty, download, read }: { values: Record<string, unknown> | null; empty: string; download?: (name: string, file: StoredFile) => void; read?: (name: string) => Promise<unknown> }) {
  if (!values || Object.keys(values).length === 0) return <Text c="dimmed" size="sm">{empty}</Text>;
  return (
    <Stack gap="xs">
      {Object.entries(values).map(([name, value]) => (
        <Stack key={name} gap={2} data-value={name}>
          <Text size="sm" fw={600} ff="monospace">{name}</Text>
          {isLarge(value) && read
            ? <LargeOutput size={value.size} read={() => read(name)} />
            : isFile(value) && download
            ? <Group gap="xs"><Button size="xs" variant="light" onClick={() => download(name, value)}>Download {value.name}</Button><Text size="xs" c="dimmed">{value.size} bytes · {value.content_type}</Text></Group>
            : <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{JSON.stringify(value, null, 2)}</Code>}
        </Stack>
      ))}
    </Stack>
  );
}

function Outputs({ runId, step }: { runId: string; step: RunStep }) {
  const download = useDownloadOutput();
  const read = useReadOutput();
  const [error, setError] = useState<unknown>();
  return (
    <Stack>
      <Values values={step.outputs} empty={step.status === 'succeeded' ? 'No output.' : 'No output yet.'}
        download={(name, file) => { setError(undefined); download(runId, step.id, name, file.name).catch(setError); }}
        read={(name) => read(runId, step.id, name)} />
      <ErrorAlert error={error} />
    </Stack>
  );
}

function Stream({ label, text }: { label: string; text: string }) {
  if (!text) return null;
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Code block aria-label={label} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', maxHeight: 320, overflow: 'auto' }}>{text}</Code>
    </Stack>
  );
}

function AttemptLog({ attempt }: { attempt: AttemptLogs }) {
  return (
    <Stack gap={4} data-log-attempt={attempt.attempt}>
      <Group gap="xs"><Text size="sm" fw={600}>Attempt {attempt.attempt}</Text><Status status={attempt.status} /><Text size="xs" c="dimmed">{formatDuration(attempt.duration_ms)}</Text></Group>
      <Stream label={`stdout of attempt ${attempt.attempt}`} text={attempt.stdout} />
      <Stream label={`stderr of attempt ${attempt.attempt}`} text={attempt.stderr} />
      {!attempt.stdout && !attempt.stderr && <Text size="xs" c="dimmed">Nothing written.</Text>}
      {attempt.logs_truncated && <Text size="xs" c="orange">The output was cut at the wrapper's limit.</Text>}
    </Stack>
  );
}

function Logs({ runId, step }: { runId: string; step: string }) {
  const logs = useStepLogs(runId, step);
  const live = new Map<number, { stdout: string; stderr: string }>();
  for (const piece of logs.live) {
    const texts = live.get(piece.attempt) ?? { stdout: '', stderr: '' };
    texts[piece.stream] += piece.text;
    live.set(piece.attempt, texts);
  }
  return (
    <Stack data-logs-ended={logs.ended}>
      <ErrorAlert error={logs.error} />
      {logs.attempts.map((attempt) => <AttemptLog key={attempt.attempt} attempt={attempt} />)}
      {[...live.entries()].map(([attempt, texts]) => (
        <Stack key={`live-${attempt}`} gap={4} data-log-attempt={attempt} data-live>
          <Group gap="xs"><Text size="sm" fw={600}>Attempt {attempt}</Text><Status status="running" /></Group>
          <Stream label={`stdout of attempt ${attempt}`} text={texts.stdout} />
          <Stream label={`stderr of attempt ${attempt}`} text={texts.stderr} />
        </Stack>
      ))}
      {!logs.ended && <Text size="xs" c="dimmed">Following the logs live…</Text>}
      {logs.ended && logs.attempts.length === 0 && <Text size="sm" c="dimmed">No attempt: the step called nothing.</Text>}
    </Stack>
  );
}

/** A foreach step's logs are its items' (`step[3]`): one item at a time, chosen here. */
function ItemLogs({ runId, step }: { runId: string; step: RunStep }) {
  const count = Object.values(step.items ?? {}).reduce((sum, n) => sum + n, 0);
  const [item, setItem] = useState<string | null>('0');
  if (count === 0) return <Text c="dimmed" size="sm">No item has started yet.</Text>;
  return (
    <Stack>
      <Select label="Item" w={160} allowDeselect={false} data={Array.from({ length: count }, (_, index) => String(index))} value={item} onChange={setItem} />
      {item !== null && <Logs key={item} runId={runId} step={`${step.id}[${item}]`} />}
    </Stack>
  );
}

/** A wait step waiting for its signal: an operator may send it here, with the JSON object that becomes its outputs. */
function SignalForm({ runId, signal }: { runId: string; signal: string }) {
  const send = useSendSignal(runId);
  const [text, setText] = useState('{}');
  const [problem, setProblem] = useState<string>();
  const submit = () => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      setProblem(`Not JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      setProblem('A JSON object: its fields become the step\'s outputs');
      return;
    }
    setProblem(undefined);
    send.mutate({ name: signal, body: body as Record<string, unknown> });
  };
  return (
    <Stack gap="xs">
      <Textarea label="Signal payload" description="A JSON object: its fields become the step's outputs" ff="monospace" autosize minRows={2}
        value={text} onChange={(event) => setText(event.currentTarget.value)} error={problem} />
      <Group><Button size="xs" onClick={submit} loading={send.isPending}>Send signal {signal}</Button>{send.isSuccess && <Text size="xs" c="green">Sent: the step ends with it.</Text>}</Group>
      <ErrorAlert error={send.error} />
    </Stack>
  );
}

function Attempts({ step }: { step: RunStep }) {
  if (step.attempts.length === 0) return <Text c="dimmed" size="sm">{step.status === 'succeeded' ? 'No attempt of its own (taken as it was, or a wait).' : 'No attempt yet.'}</Text>;
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table aria-label="Attempts">
        <Table.Thead><Table.Tr><Table.Th scope="col">Attempt</Table.Th><Table.Th scope="col">Status</Table.Th><Table.Th scope="col">Started</Table.Th><Table.Th scope="col">Finished</Table.Th><Table.Th scope="col">Duration</Table.Th><Table.Th scope="col">Error</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {step.attempts.map((attempt) => (
            <Table.Tr key={attempt.attempt} data-attempt={attempt.attempt}>
              <Table.Td>{attempt.attempt}</Table.Td>
              <Table.Td><Status status={attempt.status} /></Table.Td>
              <Table.Td>{when(attempt.started_at)}</Table.Td>
              <Table.Td>{when(attempt.finished_at)}</Table.Td>
              <Table.Td>{formatDuration(attempt.duration_ms)}</Table.Td>
              <Table.Td>{attempt.error ? <><Code>{attempt.error.code}</Code> {attempt.error.message}</> : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** One step of a run: its error, then its inputs, outputs (files to download), logs (live) and attempts. */
export function StepPanel({ runId, step, onClose }: { runId: string; step: RunStep; onClose: () => void }) {
  const [tab, setTab] = useState<string | null>('inputs');
  const canOperate = useCan('operator');
  return (
    <section aria-label={`Step ${step.id}`} data-step-panel={step.id}>
      <Stack gap="sm" p="sm" style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 6 }}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs">
            <Title order={2} size="h4">Step {step.id}</Title>
            <Status status={step.status} />
            {step.items && Object.entries(step.items).map(([status, count]) => <Badge key={status} variant="outline" size="sm">{count} {status}</Badge>)}
          </Group>
          <Button variant="subtle" size="xs" onClick={onClose}>Close</Button>
        </Group>
        <Text size="xs" c="dimmed">{step.action || (step.signal ? `waits for the signal ${step.signal}` : 'a delay')} · {formatDuration(step.duration_ms)}{step.retry_at ? ` · next attempt at ${when(step.retry_at)}` : ''}</Text>
        <StepError error={step.error} />
        {step.signal && step.status === 'running' && canOperate && <SignalForm runId={runId} signal={step.signal} />}
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="inputs">Inputs</Tabs.Tab>
            <Tabs.Tab value="outputs">Outputs</Tabs.Tab>
            <Tabs.Tab value="logs">Logs</Tabs.Tab>
            <Tabs.Tab value="attempts">Attempts</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="inputs" pt="sm"><Values values={step.inputs} empty={step.status === 'pending' ? 'Not called yet.' : 'No input.'} /></Tabs.Panel>
          <Tabs.Panel value="outputs" pt="sm"><Outputs runId={runId} step={step} /></Tabs.Panel>
          <Tabs.Panel value="logs" pt="sm">{step.items ? <ItemLogs key={step.id} runId={runId} step={step} /> : <Logs key={step.id} runId={runId} step={step.id} />}</Tabs.Panel>
          <Tabs.Panel value="attempts" pt="sm"><Attempts step={step} /></Tabs.Panel>
        </Tabs>
      </Stack>
    </section>
  );
}
