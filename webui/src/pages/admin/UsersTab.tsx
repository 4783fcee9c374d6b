import { Button, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useDeleteUser, useUpdateUser, useUsers, type User } from '../../api/admin.js';
import { useMe } from '../../api/me.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { ConfirmDialog } from '../settings/ConfirmDialog.js';
import { formatTime } from '../settings/time.js';
import { CreateUserDialog } from './CreateUserDialog.js';
import { ResetPasswordDialog } from './ResetPasswordDialog.js';

/** The instance's people: create them, disable or enable them, reset a password, delete them. */
export function UsersTab() {
  const myId = useMe().data?.user.id;
  const users = useUsers();
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={640}>Everyone who can log in. A disabled user cannot log in and their sessions end; add people to projects under Project settings → Members.</Text>
        <Button onClick={() => setCreating(true)}>Create user</Button>
      </Group>
      <ErrorAlert error={users.error ?? update.error} />
      {users.data && (
        <Table.ScrollContainer minWidth={800}>
          <Table aria-label="Users" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr><Table.Th>Username</Table.Th><Table.Th>Display name</Table.Th><Table.Th>Administrator</Table.Th><Table.Th>Status</Table.Th><Table.Th>Created</Table.Th><Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((user) => (
                <Table.Tr key={user.id} data-user={user.username}>
                  <Table.Td><Text size="sm" fw={500}>{user.username}{user.id === myId ? ' (you)' : ''}</Text></Table.Td>
                  <Table.Td><Text size="sm">{user.display_name}</Text></Table.Td>
                  <Table.Td data-admin={user.is_admin}>{user.is_admin ? 'Yes' : 'No'}</Table.Td>
                  <Table.Td><StatusBadge status={user.disabled ? 'disabled' : 'active'} /></Table.Td>
                  <Table.Td><Text size="sm">{formatTime(user.created_at)}</Text></Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button size="compact-sm" variant="subtle" aria-label={`Reset password of ${user.username}`} onClick={() => setResetting(user)}>Reset password</Button>
                      {user.id !== myId && (
                        <>
                          <Button size="compact-sm" variant="subtle" aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`}
                            onClick={() => update.mutate({ userId: user.id, disabled: !user.disabled })}>{user.disabled ? 'Enable' : 'Disable'}</Button>
                          <Button size="compact-sm" variant="subtle" color="red" aria-label={`Delete ${user.username}`} onClick={() => setDeleting(user)}>Delete</Button>
                        </>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {creating && <CreateUserDialog opened onClose={() => setCreating(false)} />}
      <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog opened={deleting !== null} onClose={() => setDeleting(null)} confirmLabel="Delete" typeToConfirm={deleting?.username}
        title={`Delete user ${deleting?.username ?? ''}?`} onConfirm={() => (deleting ? remove.mutateAsync(deleting.id) : Promise.resolve())}>
        Their memberships and sessions go with them. To keep their account but stop their access, disable them instead.
      </ConfirmDialog>
    </Stack>
  );
}
