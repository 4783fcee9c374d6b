import { Button, Group, Modal, Stack, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useSetVariable, type Variable } from '../../api/settings.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { showRefusal } from '../../ui/refusal.js';
import { parseValueText, valueText } from './variable-value.js';

const FIELDS = { invalid_name: 'name', value_too_large: 'value', value_too_deep: 'value', invalid_value: 'value' } as const;

/** Adds a variable (`editing` undefined) or replaces the value of one; the name is kept when editing. */
export function VariableDialog({ editing, opened, onClose }: { editing?: Variable; opened: boolean; onClose: () => void }) {
  const save = useSetVariable();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: { name: editing?.name ?? '', value: editing ? valueText(editing.value) : '' },
    validate: {
      name: (name) => (name.trim() ? null : 'A name, e.g. API_URL'),
      value: (text) => (parseValueText(text) === undefined ? 'A value (text, a number, true/false, a JSON list or object)' : null),
    },
  });
  const submit = form.onSubmit(async ({ name, value }) => {
    setError(null);
    try {
      await save.mutateAsync({ name: name.trim(), value: parseValueText(value) });
      onClose();
    } catch (refused) {
      showRefusal(refused, FIELDS, form, setError);
    }
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={onClose} title={editing ? `Edit variable ${editing.name}` : 'Add variable'} centered size="lg">
      <form onSubmit={submit} aria-label={editing ? 'Edit variable' : 'Add variable'}>
        <Stack>
          <TextInput label="Name" description="A letter or _, then letters, digits or _ (e.g. API_URL); workflows read it as ${{ vars.NAME }}"
            readOnly={editing !== undefined} data-autofocus={editing ? undefined : true} autoComplete="off" {...form.getInputProps('name')} />
          <Textarea label="Value" description="Plain text, or JSON (a number, true/false, a list or an object)" autosize minRows={2} maxRows={12}
            data-autofocus={editing ? true : undefined} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} {...form.getInputProps('value')} />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending}>{editing ? 'Save' : 'Add'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
