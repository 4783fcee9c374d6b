import { Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useUsers } from '../../api/admin.js';
import { useMe, type Role } from '../../api/me.js';
import { ROLES, useAddMember, type Member } from '../../api/settings.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';

/**
 * Adds a person to the project with a role. Admins pick them from the instance's users (only
 * admins may list them); an owner types their username.
 */
export function AddMemberDialog({ members, opened, onClose }: { members: readonly Member[]; opened: boolean; onClose: () => void }) {
  const isAdmin = useMe().data?.user.is_admin ?? false;
  const users = useUsers(isAdmin);
  const add = useAddMember();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: { username: '', role: 'developer' as Role },
    validate: { username: (username) => (username.trim() ? null : 'Who to add') },
  });
  const present = new Set(members.map((member) => member.username));
  const candidates = (users.data ?? []).filter((user) => !present.has(user.username) && !user.disabled)
    .map((user) => ({ value: user.username, label: user.display_name && user.display_name !== user.username ? `${user.username} (${user.display_name})` : user.username }));
  const submit = form.onSubmit(async ({ username, role }) => {
    setError(null);
    try {
      await add.mutateAsync({ username: username.trim(), role });
      onClose();
    } catch (refused) {
      setError(refused);
    }
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={onClose} title="Add member" centered>
      <form onSubmit={submit} aria-label="Add member">
        <Stack>
          {isAdmin
            ? <Select label="User" searchable nothingFoundMessage="No other user: create one in Administration" data={candidates} data-autofocus {...form.getInputProps('username')} />
            : <TextInput label="User" description="Their username" autoComplete="off" data-autofocus {...form.getInputProps('username')} />}
          <Select label="Role" allowDeselect={false} data={ROLES.map((role) => ({ value: role, label: role }))} {...form.getInputProps('role')} />
          <ErrorAlert error={error ?? users.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={add.isPending}>Add</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
