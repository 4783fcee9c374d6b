import { Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { Role } from '../../api/me.js';
import { ROLES, useCreateApiKey, type CreatedApiKey } from '../../api/settings.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { showRefusal } from '../../ui/refusal.js';

const DAY = 86_400_000;
const EXPIRIES = [
  { value: 'never', label: 'Never' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
];

/** Creates an API key and hands its answer (which holds the secret) to `onCreated`, once. */
export function ApiKeyDialog({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (key: CreatedApiKey) => void }) {
  const create = useCreateApiKey();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: { name: '', role: 'developer' as Role, expires: '90' },
    validate: { name: (name) => (name.trim() ? null : 'A name that says where the key is used, e.g. "CI deploys"') },
  });
  const submit = form.onSubmit(async ({ name, role, expires }) => {
    setError(null);
    try {
      const expiresAt = expires === 'never' ? null : new Date(Date.now() + Number(expires) * DAY).toISOString();
      onCreated(await create.mutateAsync({ name: name.trim(), role, expires_at: expiresAt }));
    } catch (refused) {
      showRefusal(refused, { invalid_api_key_name: 'name' } as const, form, setError);
    }
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={onClose} title="Create API key" centered>
      <form onSubmit={submit} aria-label="Create API key">
        <Stack>
          <TextInput label="Name" data-autofocus autoComplete="off" {...form.getInputProps('name')} />
          <Select label="Role" description="What the key may do in this project" allowDeselect={false} data={ROLES.map((role) => ({ value: role, label: role }))} {...form.getInputProps('role')} />
          <Select label="Expires" allowDeselect={false} data={EXPIRIES} {...form.getInputProps('expires')} />
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
