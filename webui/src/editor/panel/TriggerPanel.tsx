import { Alert, Box, Code, Divider, List, NumberInput, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { isIoType } from '@trellis/workflow-language/value-types';
import { useMe } from '../../api/me.js';
import type { TriggerPanelProps } from '../contract.js';
import type { DraftInputDeclaration, DraftTrigger, Json, WorkflowDraft } from '../draft.js';
import { compact, durationError, errorOf, httpPathError, problemsByField, withField } from './fields.js';
import { CronReading, timezoneError } from './CronReading.js';
import { InputDeclarations } from './InputDeclarations.js';
import { NamedValues } from './NamedValues.js';
import { actionOf, offersFor, referencesFor } from './references.js';
import { requiredField } from './required.js';
import { MONOSPACE, ValueField } from './ValueField.js';

/*
 * What starts a run: an HTTP call (its path, shown as the full URL, timeout, auth), a person
 * (manual), a schedule (cron with its reading in words, time zone, missed ticks) or a Trigger
 * action (its inputs, like a step's). http and manual triggers declare the inputs runs read.
 */

const TYPES = [
  { value: 'http', label: 'HTTP' },
  { value: 'manual', label: 'Manual' },
  { value: 'schedule', label: 'Schedule' },
  { value: 'action', label: 'Trigger action' },
];

const FIELDS = ['type', 'path', 'timeout', 'auth', 'cron', 'timezone', 'missed', 'catch_up_limit', 'action', 'inputs'];

const TIME_ZONES = (() => {
  try {
    const zones = Intl.supportedValuesOf('timeZone');
    return zones.includes('UTC') ? zones : ['UTC', ...zones];
  } catch {
    return ['UTC'];
  }
})();

/** A trigger of another kind, keeping what still makes sense (the declared inputs). */
function switchTo(type: DraftTrigger['type'], draft: WorkflowDraft, actions: TriggerPanelProps['context']['actions']): DraftTrigger {
  const current = draft.trigger;
  const declared = current.type === 'http' || current.type === 'manual' ? current.inputs : undefined;
  switch (type) {
    case 'http':
      return { type, path: draft.name, ...(declared ? { inputs: declared } : {}) };
    case 'manual':
      return { type, ...(declared ? { inputs: declared } : {}) };
    case 'schedule':
      return { type, cron: '0 * * * *' };
    case 'action': {
      const first = actions.find((action) => action.kind === 'Trigger');
      return { type, action: first ? `${first.id}@${first.version}` : '' };
    }
  }
}

export function TriggerPanel({ draft, context, problems, onChange }: TriggerPanelProps) {
  const trigger = draft.trigger;
  const readOnly = context.readOnly;
  const projectName = useMe().data?.current_project?.name ?? '<project>';
  const { byField, rest } = problemsByField(problems, 'trigger', FIELDS);
  const error = (field: string, local?: string) => errorOf(byField, field, local);
  const set = <T extends DraftTrigger>(next: T) => onChange(next);
  // Problems of declared inputs and of trigger inputs are shown on their rows, not at the top.
  const inputProblems = problems.filter((problem) => problem.path.startsWith('trigger.inputs'));
  const inputsByName = problemsByField(inputProblems, 'trigger.inputs', Object.keys(trigger.type === 'schedule' || trigger.type === 'action' ? trigger.inputs ?? {} : {})).byField;
  const triggerInputOffers = referencesFor(draft, { kind: 'trigger-input' }, context);

  return (
    <Box component="section" aria-label="Trigger settings">
      <Stack gap="sm">
        <Title order={2} size="h4">Trigger</Title>
        {rest.length > 0 ? (
          <Alert color="red" title="Problems of the trigger">
            <List size="sm">{rest.map((problem) => <List.Item key={`${problem.path}-${problem.message}`}>{problem.message}</List.Item>)}</List>
          </Alert>
        ) : null}
        <Select label="Trigger type" allowDeselect={false} disabled={readOnly} data={TYPES} value={trigger.type} error={error('type')} onChange={(value) => { if (value && value !== trigger.type) onChange(switchTo(value as DraftTrigger['type'], draft, context.actions)); }} />

        {trigger.type === 'http' ? (
          <>
            <TextInput
              label="HTTP path" {...requiredField()} readOnly={readOnly} value={trigger.path} error={error('path', httpPathError(trigger.path))}
              description={<>Called at <Code data-http-url>{`${window.location.origin}/user-api/${projectName}/${trigger.path}`}</Code></>}
              onChange={(event) => set({ ...trigger, path: event.currentTarget.value })}
            />
            <TextInput label="Timeout" placeholder="30s" description="How long a caller waits for the results before a 202 with the run's id; 0: answer 202 at once" readOnly={readOnly} value={trigger.timeout ?? ''} error={error('timeout', durationError(trigger.timeout))} onChange={(event) => set(withField(trigger, 'timeout', event.currentTarget.value))} />
            <Select label="Auth" disabled={readOnly} allowDeselect={false} data={[{ value: 'required', label: 'Required (a token or a project API key)' }, { value: 'none', label: 'None (anyone may call it)' }]} value={trigger.auth ?? 'required'} error={error('auth')} onChange={(value) => set({ ...trigger, auth: (value ?? 'required') as 'required' | 'none' })} />
          </>
        ) : null}

        {trigger.type === 'schedule' ? (
          <>
            <TextInput label="Cron" {...requiredField()} styles={MONOSPACE} placeholder="*/5 * * * *" description="minute hour day month weekday (or seconds first)" readOnly={readOnly} value={trigger.cron} error={error('cron')} onChange={(event) => set({ ...trigger, cron: event.currentTarget.value })} />
            <CronReading cron={trigger.cron} timezone={trigger.timezone} />
            <Select label="Time zone" searchable clearable placeholder="UTC" disabled={readOnly} data={TIME_ZONES} limit={100} value={trigger.timezone ?? null} error={error('timezone', timezoneError(trigger.timezone))} onChange={(value) => set(withField(trigger, 'timezone', value))} />
            <Select label="Missed ticks" description="Ticks missed while no runner ran the schedule" disabled={readOnly} clearable placeholder="Skip (the default)" data={[{ value: 'skip', label: 'Skip' }, { value: 'catch_up', label: 'Catch up (fire them late, oldest first)' }]} value={trigger.missed ?? null} error={error('missed')} onChange={(value) => set(withField(trigger, 'missed', value as 'skip' | 'catch_up' | null))} />
            {trigger.missed === 'catch_up' ? <NumberInput label="Catch-up limit" min={1} max={1000} allowDecimal={false} placeholder="10" readOnly={readOnly} value={trigger.catch_up_limit ?? ''} error={error('catch_up_limit')} onChange={(value) => set(withField(trigger, 'catch_up_limit', typeof value === 'number' ? value : undefined))} /> : null}
            <Divider label="Inputs" labelPosition="left" />
            <NamedValues
              noun="Schedule input" valueType="json" values={trigger.inputs} byField={inputsByName} readOnly={readOnly} offers={offersFor(triggerInputOffers, undefined)}
              empty="No input: add one to give every run a value, read as ${{ trigger.<name> }}."
              onChange={(values) => set(withField(trigger, 'inputs', values))}
            />
          </>
        ) : null}

        {trigger.type === 'action' ? <ActionTrigger trigger={trigger} draft={draft} context={context} byField={byField} inputsByName={inputsByName} onChange={set} offers={triggerInputOffers} /> : null}

        {trigger.type === 'http' || trigger.type === 'manual' ? (
          <>
            <Divider label="Inputs" labelPosition="left" />
            <InputDeclarations inputs={trigger.inputs ?? []} problems={inputProblems} readOnly={readOnly} onChange={(inputs: DraftInputDeclaration[] | undefined) => set(withField(trigger, 'inputs', inputs))} />
          </>
        ) : null}
      </Stack>
    </Box>
  );
}

type ActionTriggerProps = {
  trigger: Extract<DraftTrigger, { type: 'action' }>;
  draft: WorkflowDraft;
  context: TriggerPanelProps['context'];
  byField: Map<string, string[]>;
  inputsByName: Map<string, string[]>;
  offers: ReturnType<typeof referencesFor>;
  onChange: (trigger: DraftTrigger) => void;
};

function ActionTrigger({ trigger, context, byField, inputsByName, offers, onChange }: ActionTriggerProps) {
  const action = actionOf(trigger.action, context.actions);
  const triggers = context.actions.filter((entry) => entry.kind === 'Trigger');
  const ports = (action?.inputs ?? []).filter((port) => port.injected === undefined);
  const data = triggers.map((entry) => ({ value: `${entry.id}@${entry.version}`, label: `${entry.name} (${entry.id}@${entry.version})` }));
  // A pinned version the library no longer lists newest is still shown as chosen.
  if (trigger.action && !data.some((entry) => entry.value === trigger.action)) data.unshift({ value: trigger.action, label: trigger.action });
  return (
    <>
      <Select
        label="Trigger action" {...requiredField()} searchable disabled={context.readOnly} allowDeselect={false} data={data} value={trigger.action || null}
        error={errorOf(byField, 'action')} nothingFoundMessage="No Trigger action in the library"
        description={triggers.length === 0 ? 'The library has no action of kind Trigger yet: build one first.' : action?.description}
        onChange={(value) => { if (value) onChange({ type: 'action', action: value }); }}
      />
      {action ? <Divider label="Inputs" labelPosition="left" /> : null}
      {action && ports.length === 0 ? <Text size="sm" c="dimmed">This Trigger action takes no input.</Text> : null}
      {ports.map((port) => (
        <ValueField
          key={port.name} port={port} value={trigger.inputs?.[port.name]} readOnly={context.readOnly} error={errorOf(inputsByName, port.name)}
          offers={offersFor(offers, isIoType(port.type) ? { type: port.type, ...(port.values ? { values: port.values } : {}) } : undefined)}
          onChange={(value: Json | undefined) => onChange(withField(trigger, 'inputs', compact<Json>({ ...trigger.inputs, [port.name]: value })))}
        />
      ))}
    </>
  );
}
