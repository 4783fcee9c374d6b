import { Button, CloseButton, Group, Paper, Select, Stack, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import { IO_TYPES, type IoType } from '@trellis/workflow-language/value-types';
import type { DraftInputDeclaration, DraftProblem, Json } from '../draft.js';
import { errorOf, nameError, problemsByField, withField } from './fields.js';
import { ValueField } from './ValueField.js';

/*
 * What an http or manual trigger takes from its caller: one row per declared input (name, type,
 * optional, default, help, an enum's values), read by steps as `${{ trigger.<name> }}`.
 */

type Props = {
  inputs: readonly DraftInputDeclaration[];
  onChange: (inputs: DraftInputDeclaration[] | undefined) => void;
  /** The problems under `trigger.inputs`. */
  problems: readonly DraftProblem[];
  readOnly: boolean;
};

const FIELDS = ['name', 'type', 'optional', 'default', 'help', 'values'];

export function InputDeclarations({ inputs, onChange, problems, readOnly }: Props) {
  const change = (at: number, next: DraftInputDeclaration) => onChange(inputs.map((input, other) => (other === at ? next : input)));
  const names = inputs.map((input) => input.name);
  return (
    <Stack gap="sm">
      {inputs.length === 0 ? <Text size="sm" c="dimmed">No input: runs start with nothing to read. Add one to read it as {'${{ trigger.<name> }}'}.</Text> : null}
      {inputs.map((input, at) => {
        const { byField, rest } = problemsByField(problems, `trigger.inputs[${at}]`, FIELDS);
        const own = rest.filter((problem) => problem.path.startsWith(`trigger.inputs[${at}]`));
        const set = <K extends keyof DraftInputDeclaration>(key: K, value: DraftInputDeclaration[K] | undefined | '') => change(at, withField(input, key, value));
        return (
          <Paper key={at} withBorder p="xs" role="group" aria-label={`Input ${input.name || at + 1}`}>
            <Stack gap={6}>
              <Group align="flex-start" gap="xs" wrap="nowrap">
                <TextInput label="Input name" style={{ flex: 1 }} readOnly={readOnly} value={input.name} error={errorOf(byField, 'name', nameError(input.name, names.slice(0, at)))} onChange={(event) => change(at, { ...input, name: event.currentTarget.value })} />
                <Select label="Input type" w={130} disabled={readOnly} allowDeselect={false} data={[...IO_TYPES]} value={input.type} error={errorOf(byField, 'type')} onChange={(value) => { if (value) change(at, withField({ ...input, type: value as IoType }, 'values', value === 'enum' ? input.values : undefined)); }} />
                {readOnly ? null : <CloseButton mt={28} aria-label={`Remove input ${input.name || at + 1}`} onClick={() => onChange(inputs.length === 1 ? undefined : inputs.filter((_, other) => other !== at))} />}
              </Group>
              {input.type === 'enum' ? <TagsInput label="Enum values" readOnly={readOnly} disabled={readOnly} value={input.values ?? []} error={errorOf(byField, 'values')} onChange={(value) => set('values', value)} /> : null}
              <Switch label="Optional" disabled={readOnly} checked={input.optional === true} error={errorOf(byField, 'optional')} onChange={(event) => set('optional', event.currentTarget.checked || undefined)} />
              <ValueField fixedOnly label="Default" port={{ name: 'Default', type: input.type, optional: true, ...(input.values ? { values: input.values } : {}) }} value={input.default} readOnly={readOnly} offers={[]} error={errorOf(byField, 'default')} onChange={(value: Json | undefined) => set('default', value)} />
              <TextInput label="Help" readOnly={readOnly} value={input.help ?? ''} error={errorOf(byField, 'help')} onChange={(event) => set('help', event.currentTarget.value)} />
              {own.map((problem) => <Text key={problem.message} size="sm" c="red.8">{problem.message}</Text>)}
            </Stack>
          </Paper>
        );
      })}
      {readOnly ? null : <Button variant="light" size="xs" w="fit-content" onClick={() => onChange([...inputs, { name: '', type: 'string' }])}>Add an input</Button>}
    </Stack>
  );
}
