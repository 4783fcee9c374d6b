import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { TrellisApiError } from '@trellis/sdk';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCan } from '../../api/me.js';
import { useServedWorkflow, useStartRun } from '../../api/runs.js';
import type { DraftInputDeclaration } from '../../editor/draft.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { InputField } from './InputField.js';
import { initialValue, readField, type FieldValue } from './run-inputs.js';

function declarationsOf(trigger: { type: string; inputs?: unknown } | undefined): DraftInputDeclaration[] {
  return (trigger?.type === 'manual' || trigger?.type === 'http') && Array.isArray(trigger.inputs) ? trigger.inputs as DraftInputDeclaration[] : [];
}

/** The API's findings about one input (the runner names them `body.<input>`), shown under its field. */
function findingsFor(error: unknown, name: string): string | undefined {
  if (!(error instanceof TrellisApiError)) return undefined;
  const found = error.errors.filter((finding) => [name, `body.${name}`, `form.${name}`, `inputs.${name}`].includes(finding.path));
  return found.length > 0 ? found.map((finding) => finding.message).join('; ') : undefined;
}

function StartForm({ workflowId, declarations }: { workflowId: string; declarations: DraftInputDeclaration[] }) {
  const navigate = useNavigate();
  const start = useStartRun(workflowId);
  const [values, setValues] = useState<Record<string, FieldValue>>(() => Object.fromEntries(declarations.map((declaration) => [declaration.name, initialValue(declaration)])));
  const [errors, setErrors] = useState<Record<string, string>>({});

  const check = (declaration: DraftInputDeclaration, value: FieldValue) => {
    const read = readField(declaration, value);
    setErrors((previous) => {
      const next = { ...previous };
      if (read.ok) delete next[declaration.name];
      else next[declaration.name] = read.message;
      return next;
    });
    return read;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const inputs: Record<string, unknown> = {};
    let valid = true;
    for (const declaration of declarations) {
      const read = check(declaration, values[declaration.name] ?? null);
      if (!read.ok) valid = false;
      else if ('value' in read) inputs[declaration.name] = read.value;
    }
    if (!valid) return;
    const runId = await start.mutateAsync(inputs).catch(() => undefined);
    if (runId) void navigate(`/runs/${encodeURIComponent(runId)}`);
  };

  return (
    <form onSubmit={(event) => void submit(event)} aria-label="Inputs of the run" noValidate>
      <Stack maw={560}>
        {declarations.length === 0 && <Text c="dimmed">This workflow's trigger declares no input: a run starts as it is.</Text>}
        {declarations.map((declaration) => (
          <InputField key={declaration.name} declaration={declaration} value={values[declaration.name] ?? null}
            error={errors[declaration.name] ?? findingsFor(start.error, declaration.name)}
            onChange={(value) => {
              setValues((previous) => ({ ...previous, [declaration.name]: value }));
              if (errors[declaration.name]) check(declaration, value);
            }}
            onBlur={() => { if (declaration.type === 'json') check(declaration, values[declaration.name] ?? null); }}
          />
        ))}
        <ErrorAlert error={start.error} />
        <Group><Button type="submit" loading={start.isPending}>Start run</Button></Group>
      </Stack>
    </form>
  );
}

/** The manual run form, generated from the inputs the served version's trigger declares. */
export function StartRunPage() {
  const { workflowId = '' } = useParams();
  const canOperate = useCan('operator');
  const { data, error } = useServedWorkflow(workflowId);
  useDocumentTitle(`Trellis · Start a run${data ? ` of ${data.workflow.name}` : ''}`);
  // The runner starts by hand what a manual or an HTTP trigger would (a schedule or a Trigger action starts its own).
  const byHand = data?.document.trigger.type === 'manual' || data?.document.trigger.type === 'http';
  return (
    <Stack>
      <Anchor component={Link} to="/runs" size="sm">← Runs</Anchor>
      <Title order={1} size="h2">Start a run</Title>
      <ErrorAlert error={error} />
      {!data && !error && <Text>Loading…</Text>}
      {data && (
        <>
          <Text>
            Of <Anchor component={Link} to={`/workflows/${encodeURIComponent(data.workflow.id)}`}>{data.workflow.title || data.workflow.name}</Anchor>
            {data.serving !== null ? `, version ${data.serving} (the one deployed)` : ''}
          </Text>
          {data.serving === null && (
            <Alert color="yellow" title="Not deployed">This workflow serves no version: deploy it, then start a run.</Alert>
          )}
          {data.serving !== null && !byHand && (
            <Alert color="yellow" title="Not started by hand">This workflow's {data.document.trigger.type} trigger starts its runs; a run of it can be re-run from its page.</Alert>
          )}
          {data.serving !== null && byHand && !canOperate && <Alert color="gray" title="Read only">Starting a run needs the operator role or above.</Alert>}
          {data.serving !== null && byHand && canOperate && <StartForm workflowId={data.workflow.id} declarations={declarationsOf(data.document.trigger)} />}
        </>
      )}
    </Stack>
  );
}
