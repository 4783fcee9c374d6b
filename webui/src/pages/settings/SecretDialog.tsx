import { Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useSetSecret } from '../../api/settings.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { showRefusal } from '../../ui/refusal.js';

const FIELDS = { invalid_name: 'name', value_too_large: 'value', invalid_value: 'value' } as const;

/**
 * Adds a secret, or replaces (rotates) the value of `replacing`. The value field always starts
 * empty: Trellis never gives a secret's value back, so there is nothing to prefill.
 */
export function SecretDialog({ replacing, opened, onClose }: { replacing?: string; opened: boolean; onClose: () => void }) {
  const save = useSetSecret();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: { name: replacing ?? '', value: '' },
    validate: { name: (name) => (name.trim() ? null : 'A name, e.g. SMTP_PASSWORD'), value: (value) => (value ? null : 'The secret\'s value') },
  });
  const submit = form.onSubmit(async ({ name, value }) => {
    setError(null);
    try {
      await save.mutateAsync({ name: name.trim(), value });
      onClose();
    } catch (refused) {
      showRefusal(refused, FIELDS, form, setError);
    }
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={onClose} title={replacing ? `Replace the value of ${replacing}` : 'Add secret'} centered>
      <form onSubmit={submit} aria-label={replacing ? 'Replace secret' : 'Add secret'}>
        <Stack>
          <TextInput label="Name" description="A letter or _, then letters, digits or _; workflows read it as ${{ secrets.NAME }}"
            readOnly={replacing !== undefined} data-autofocus={replacing ? undefined : true} autoComplete="off" {...form.getInputProps('name')} />
          <PasswordInput label="Value" autoComplete="new-password" data-autofocus={replacing ? true : undefined} {...form.getInputProps('value')} />
          <Text size="xs" c="dimmed">Once saved, nobody can read the value back through Trellis, not even you.</Text>
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending}>{replacing ? 'Replace' : 'Add'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
