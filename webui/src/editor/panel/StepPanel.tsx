import { Alert, Box, Divider, Group, List, MultiSelect, NumberInput, Select, Stack, Switch, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { isIoType } from '@trellis/workflow-language/value-types';
import { useState } from 'react';
import type { StepPanelProps } from '../contract.js';
import type { DraftResources, DraftRetry, DraftStep, DraftWait, Json } from '../draft.js';
import { splitAction, useActionVersions } from './actionVersions.js';
import { compact, cpuError, durationError, errorOf, isEmpty, memoryError, problemsByField, quantityOf, stepIdError, textOf, withField } from './fields.js';
import { requiredField } from './required.js';
import { ReferenceButton } from './ReferencePicker.js';
import { actionOf, offersFor, referencesFor, type Offer, type ReferenceOption } from './references.js';
import { MONOSPACE, ValueField } from './ValueField.js';

/*
 * The form of one step: its id, title and action; one field per action input, typed, with the
 * reference picker; then when, foreach, retry, timeout, on_failure and needs (or, for a wait step,
 * its signal). Every problem studio names under `steps[i].<field>` is shown on that field; the
 * step's own (a cycle, say) at the top. What is emptied leaves the document.
 */

const CONTROL_FIELDS = ['id', 'title', 'action', 'wait', 'wait.signal', 'wait.for', 'wait.timeout', 'wait.on_timeout', 'when', 'foreach', 'parallelism', 'fail_fast', 'retry', 'retry.attempts', 'retry.backoff', 'retry.max_delay', 'retry.on', 'timeout', 'on_failure', 'needs', 'resources', 'resources.cpu', 'resources.memory'];

/** Only lists (or what is known at run time) may feed `foreach`. */
function listOffers(options: readonly ReferenceOption[]): Offer[] {
  return options.map((option) => ({ ...option, fit: option.type.kind === 'list' || option.type.kind === 'any' ? { ok: true } : { ok: false, reason: 'foreach needs a list' } }));
}

/** `[1, 2]` typed in For each is a list; anything else is text (usually `${{ reference }}`). */
function foreachOf(text: string): Json | undefined {
  if (text.trim() === '') return undefined;
  if (text.trim().startsWith('[')) {
    try {
      const value = JSON.parse(text) as Json;
      if (Array.isArray(value)) return value;
    } catch {
      // not JSON yet: kept as text, studio says why
    }
  }
  return text;
}

export function StepPanel({ draft, index, context, problems, onChange }: StepPanelProps) {
  const step = draft.steps[index];
  const pinned = splitAction(step?.action);
  const versions = useActionVersions(pinned.id);
  if (!step) return <Text c="dimmed">This step no longer exists.</Text>;
  const prefix = `steps[${index}]`;
  const readOnly = context.readOnly;
  const action = actionOf(step.action, context.actions);
  // The pinned version's inputs once its versions are read; the newest's (the library's) until then.
  const version = versions.data?.find((entry) => entry.version === (pinned.version ?? action?.version));
  const ports = (version?.inputs ?? action?.inputs ?? []).filter((port) => port.injected === undefined);
  const extra = Object.keys(step.inputs ?? {}).filter((name) => !ports.some((port) => port.name === name));
  const { byField, rest } = problemsByField(problems, prefix, [...CONTROL_FIELDS, ...[...ports.map((port) => port.name), ...extra].map((name) => `inputs.${name}`)]);
  const otherIds = draft.steps.filter((_, at) => at !== index).map((other) => other.id).filter((id) => id !== '');
  const inputOptions = referencesFor(draft, { kind: 'step-input', step: index }, context);
  const controlOptions = referencesFor(draft, { kind: 'step-control', step: index }, context);

  const set = <K extends keyof DraftStep>(key: K, value: DraftStep[K] | undefined | null | '') => onChange(withField(step, key, value));
  const setInput = (name: string, value: Json | undefined) => set('inputs', compact<Json>({ ...step.inputs, [name]: value }));
  const setRetry = (patch: Partial<DraftRetry>) => set('retry', compact<unknown>({ ...step.retry, ...patch }) as DraftRetry | undefined);
  const setResources = (patch: Partial<DraftResources>) => set('resources', compact<unknown>({ ...step.resources, ...patch }) as DraftResources | undefined);
  const isDelay = step.wait?.for !== undefined;
  const setWait = (patch: Partial<DraftWait>) => set('wait', (isDelay ? { for: '', ...compact<unknown>({ ...step.wait, ...patch }) } : { signal: '', ...compact<unknown>({ ...step.wait, ...patch }) }) as DraftWait);
  const error = (field: string, local?: string) => errorOf(byField, field, local);

  return (
    <Box component="section" aria-label={`Step ${step.id}`} data-step-panel={step.id}>
      <Stack gap="sm">
        <Title order={2} size="h4">{step.title ?? step.id}{action ? <Text span c="dimmed" size="sm"> · {action.name}</Text> : null}</Title>
        {rest.length > 0 ? (
          <Alert color="red" title="Problems of this step" data-step-problems>
            <List size="sm">{rest.map((problem) => <List.Item key={`${problem.code}-${problem.path}-${problem.message}`}>{problem.message} <Text span size="xs" c="dimmed">({problem.code})</Text></List.Item>)}</List>
          </Alert>
        ) : null}
        <StepIdField id={step.id} otherIds={otherIds} readOnly={readOnly} problem={error('id')} onRename={(id) => onChange({ ...step, id })} />
        <TextInput label="Title" readOnly={readOnly} value={step.title ?? ''} error={error('title')} onChange={(event) => set('title', event.currentTarget.value)} />
        {step.wait ? null : step.action ? (
          <Select
            label="Action" allowDeselect={false} disabled={readOnly} value={step.action} error={error('action')}
            description={action ? `${action.name} · ${action.kind} · newest built version ${action.version}` : 'Not in the library'}
            data={versionChoices(step.action, pinned.id ?? '', (versions.data ?? []).map((entry) => entry.version))}
            onChange={(value) => { if (value) set('action', value); }}
          />
        ) : (
          <Select
            label="Action" {...requiredField()} disabled={readOnly} searchable placeholder="Choose an action" error={error('action')}
            data={context.actions.filter((entry) => entry.kind !== 'Trigger').map((entry) => ({ value: `${entry.id}@${entry.version}`, label: `${entry.name} (${entry.id}@${entry.version})` }))}
            value={null} onChange={(value) => set('action', value)}
          />
        )}

        {step.wait && isDelay ? (
          <>
            <Divider label="Delay" labelPosition="left" />
            <TextInput label="Wait for" {...requiredField()} readOnly={readOnly} value={step.wait.for ?? ''} placeholder="10m" description="The step succeeds once this long has passed; the run holds no process meanwhile" error={error('wait.for', durationError(step.wait.for) ?? error('wait'))} onChange={(event) => setWait({ for: event.currentTarget.value })} />
          </>
        ) : step.wait ? (
          <>
            <Divider label="Wait" labelPosition="left" />
            <TextInput label="Signal" {...requiredField()} readOnly={readOnly} value={step.wait.signal ?? ''} description="The run waits for POST /runner/runs/<run id>/signals/<signal>" error={error('wait.signal', error('wait'))} onChange={(event) => setWait({ signal: event.currentTarget.value })} />
            <TextInput label="Timeout" readOnly={readOnly} value={step.wait.timeout ?? ''} placeholder="none: wait without end" error={error('wait.timeout', durationError(step.wait.timeout))} onChange={(event) => setWait({ timeout: event.currentTarget.value })} />
            <Select label="On timeout" disabled={readOnly} clearable placeholder="fail (the default)" data={[{ value: 'fail', label: 'Fail (signal_timeout)' }, { value: 'skip', label: 'Skip' }]} value={step.wait.on_timeout ?? null} error={error('wait.on_timeout')} onChange={(value) => setWait({ on_timeout: (value ?? undefined) as DraftWait['on_timeout'] })} />
          </>
        ) : (
          <section aria-label="Inputs">
            <Divider label="Inputs" labelPosition="left" mb="xs" />
            <Stack gap="sm">
              {!action && step.action ? <Text size="sm" c="dimmed">The library has no action {step.action}: its inputs cannot be shown.</Text> : null}
              {action && ports.length === 0 ? <Text size="sm" c="dimmed">This action takes no input.</Text> : null}
              {ports.map((port) => (
                <ValueField
                  key={port.name} port={port} value={step.inputs?.[port.name]} readOnly={readOnly} error={error(`inputs.${port.name}`)}
                  offers={offersFor(inputOptions, isIoType(port.type) ? { type: port.type, ...(port.values ? { values: port.values } : {}) } : undefined)}
                  onChange={(value) => setInput(port.name, value)}
                />
              ))}
              {extra.map((name) => (
                <ValueField key={name} port={{ name, type: 'json', help: 'The action has no such input: clear it' }} value={step.inputs?.[name]} readOnly={readOnly} error={error(`inputs.${name}`)} offers={offersFor(inputOptions, undefined)} onChange={(value) => setInput(name, value)} />
              ))}
            </Stack>
          </section>
        )}

        <section aria-label="Control">
          <Divider label="Control" labelPosition="left" mb="xs" />
          <Stack gap="sm">
            <ExpressionField label="When" placeholder="${{ trigger.n > 0 }}" description="A condition: false skips this step and those that depend on it" value={step.when ?? ''} readOnly={readOnly} error={error('when')} offers={offersFor(controlOptions, { type: 'boolean' })} onChange={(value) => set('when', value)} />
            {step.wait ? null : (
              <>
                <ExpressionField label="For each" placeholder="${{ trigger.items }}" description="A list: the step runs once per item, read as ${{ item }}" value={textOf(step.foreach)} readOnly={readOnly} error={error('foreach')} offers={listOffers(controlOptions)} onChange={(text) => set('foreach', foreachOf(text))} />
                <Group grow align="flex-start">
                  <NumberInput label="Parallelism" min={1} max={1000} allowDecimal={false} placeholder="10" readOnly={readOnly} value={step.parallelism ?? ''} error={error('parallelism')} onChange={(value) => set('parallelism', typeof value === 'number' ? value : undefined)} />
                  <Switch label="Fail fast" mt={30} disabled={readOnly} checked={step.fail_fast === true} error={error('fail_fast')} onChange={(event) => set('fail_fast', event.currentTarget.checked || undefined)} />
                </Group>
                <Group grow align="flex-start">
                  <NumberInput label="Retry attempts" min={1} max={100} allowDecimal={false} placeholder="1" readOnly={readOnly} value={step.retry?.attempts ?? ''} error={error('retry.attempts', error('retry'))} onChange={(value) => setRetry({ attempts: typeof value === 'number' ? value : undefined as unknown as number })} />
                  <TextInput label="Backoff" placeholder="1s" readOnly={readOnly} value={step.retry?.backoff ?? ''} error={error('retry.backoff', durationError(step.retry?.backoff))} onChange={(event) => setRetry({ backoff: event.currentTarget.value })} />
                  <TextInput label="Max delay" placeholder="5m" readOnly={readOnly} value={step.retry?.max_delay ?? ''} error={error('retry.max_delay', durationError(step.retry?.max_delay))} onChange={(event) => setRetry({ max_delay: event.currentTarget.value })} />
                </Group>
                <TagsInput label="Retry on" description="The ActionError codes to retry (error: any other exception); timeouts and crashes always are" placeholder="rate_limited" readOnly={readOnly} disabled={readOnly} value={step.retry?.on ?? []} error={error('retry.on')} onChange={(value) => setRetry({ on: value })} />
                <TextInput label="Timeout" placeholder="none" description="Each attempt is cancelled after this long: 30s, 5m, 1h30m" readOnly={readOnly} value={step.timeout ?? ''} error={error('timeout', durationError(step.timeout))} onChange={(event) => set('timeout', event.currentTarget.value)} />
              </>
            )}
            <Select label="On failure" description="A compensation step, run when this one fails for good" clearable disabled={readOnly} placeholder="None" data={otherIds} value={step.on_failure ?? null} error={error('on_failure')} onChange={(value) => set('on_failure', value)} />
            <MultiSelect label="Needs" description="Steps that must finish first, besides those it reads" clearable disabled={readOnly} placeholder={isEmpty(step.needs) ? 'None' : undefined} data={otherIds} value={step.needs ?? []} error={error('needs')} onChange={(value) => set('needs', value)} />
          </Stack>
        </section>

        {step.wait ? null : (
          <section aria-label="Resources">
            <Divider label="Resources" labelPosition="left" mb="xs" />
            <Text size="xs" c="dimmed" mb="xs">On the docker and kubernetes sites, instead of the action&apos;s manifest (each on its own); the local site ignores them.</Text>
            <Group grow align="flex-start">
              <TextInput label="CPU" placeholder="the manifest's" description="Cores: 0.5, 2 or 500m" readOnly={readOnly} value={textOf(step.resources?.cpu)} error={error('resources.cpu', error('resources', cpuError(step.resources?.cpu)))} onChange={(event) => setResources({ cpu: quantityOf(event.currentTarget.value) })} />
              <TextInput label="Memory" placeholder="the manifest's" description="512Mi, 1Gi, 256M" readOnly={readOnly} value={textOf(step.resources?.memory)} error={error('resources.memory', memoryError(step.resources?.memory))} onChange={(event) => setResources({ memory: quantityOf(event.currentTarget.value) })} />
            </Group>
          </section>
        )}
      </Stack>
    </Box>
  );
}

type ExpressionProps = { label: string; placeholder: string; description: string; value: string; readOnly: boolean; error: string | undefined; offers: readonly Offer[]; onChange: (value: string) => void };

/** A field written as an expression (`when`, `foreach`), with the reference picker beside it. */
export function ExpressionField({ label, placeholder, description, value, readOnly, error, offers, onChange }: ExpressionProps) {
  return (
    <TextInput
      label={label} placeholder={placeholder} description={description} styles={MONOSPACE} readOnly={readOnly} value={value} error={error}
      onChange={(event) => onChange(event.currentTarget.value)}
      inputContainer={(children) => <Group gap={6} wrap="nowrap" align="center"><Box style={{ flex: 1, minWidth: 0 }}>{children}</Box><ReferenceButton label={label} offers={offers} onChoose={onChange} disabled={readOnly} /></Group>}
    />
  );
}

/** The action's versions as `id@version`, newest first, with the step's own value kept when it is not one of them. */
function versionChoices(current: string, id: string, versions: readonly string[]): { value: string; label: string }[] {
  const choices = versions.map((version) => ({ value: `${id}@${version}`, label: `${id}@${version}` }));
  if (!choices.some((choice) => choice.value === current)) choices.unshift({ value: current, label: current.includes('@') ? current : `${current} (the newest when saved)` });
  return choices;
}

type StepIdProps = { id: string; otherIds: readonly string[]; readOnly: boolean; problem: string | undefined; onRename: (id: string) => void };

/**
 * The step id, checked as it is typed (format, another step's id) and given to the editor when the
 * field is left or Enter is pressed, and only when it is a valid, free id: a half-typed id would
 * rename the step (and select another one of the same id) at every key.
 */
function StepIdField({ id, otherIds, readOnly, problem, onRename }: StepIdProps) {
  const [text, setText] = useState(id);
  const [shown, setShown] = useState(id);
  if (id !== shown) {
    setShown(id);
    setText(id);
  }
  const local = stepIdError(text, otherIds);
  const commit = () => { if (text !== id && local === undefined) onRename(text); };
  return (
    <TextInput
      label="Step id" {...requiredField()} readOnly={readOnly} value={text} description="Read by later steps as steps.<id>.<output>; renamed when you leave the field"
      error={local ?? (text === id ? problem : undefined)}
      onChange={(event) => setText(event.currentTarget.value)} onBlur={commit}
      onKeyDown={(event) => { if (event.key === 'Enter') commit(); else if (event.key === 'Escape') setText(id); }}
    />
  );
}
