import { Button, Group, Modal, PasswordInput, Stack, Switch, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useCreateUser } from '../../api/admin.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { showRefusal } from '../../ui/refusal.js';

const FIELDS = { username_taken: 'username', invalid_username: 'username', password_too_short: 'password', password_is_username: 'password', invalid_display_name: 'displayName' } as const;

/** Creates a person's account: username, first password (they change it), and whether they administer the instance. */
export function CreateUserDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateUser();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: { username: '', displayName: '', password: '', isAdmin: false },
    validate: { username: (value) => (value.trim() ? null : 'A username'), password: (value) => (value ? null : 'A first password') },
  });
  const submit = form.onSubmit(async ({ username, displayName, password, isAdmin }) => {
    setError(null);
    try {
      await create.mutateAsync({ username: username.trim(), password, is_admin: isAdmin, ...(displayName.trim() ? { display_name: displayName.trim() } : {}) });
      onClose();
    } catch (refused) {
      showRefusal(refused, FIELDS, form, setError);
    }
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={onClose} title="Create user" centered>
      <form onSubmit={submit} aria-label="Create user">
        <Stack>
          <TextInput label="Username" autoComplete="off" data-autofocus {...form.getInputProps('username')} />
          <TextInput label="Display name" description="Optional: how others see them" autoComplete="off" {...form.getInputProps('displayName')} />
          <PasswordInput label="Password" description="Their first password; they can change it under Project settings → Account" autoComplete="new-password" {...form.getInputProps('password')} />
          <Switch label="Administrator" description="Manages users, projects and the audit log of the whole instance" {...form.getInputProps('isAdmin', { type: 'checkbox' })} />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={create.isPending}>Create</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
