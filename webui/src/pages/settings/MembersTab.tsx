import { Button, Group, Select, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useCan, useMe, type Role } from '../../api/me.js';
import { ROLES, useChangeMemberRole, useMembers, useRemoveMember, type Member } from '../../api/settings.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { AddMemberDialog } from './AddMemberDialog.js';
import { ConfirmDialog } from './ConfirmDialog.js';

const ROLE_HELP = 'Viewers read; operators also start and cancel runs; developers also change workflows, repositories, variables and secrets; owners also manage members and API keys.';

/** Who is in the project and with which role; owners (and instance admins) add, change and remove them. */
export function MembersTab() {
  const me = useMe().data;
  const isOwner = useCan('owner');
  const canManage = isOwner || (me?.user.is_admin ?? false);
  const members = useMembers();
  const changeRole = useChangeMemberRole();
  const remove = useRemoveMember();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={640}>{ROLE_HELP}</Text>
        {canManage && <Button onClick={() => setAdding(true)}>Add member</Button>}
      </Group>
      <ErrorAlert error={members.error ?? changeRole.error} />
      {members.data && (
        <Table.ScrollContainer minWidth={420}>
          <Table aria-label="Members" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr><Table.Th>User</Table.Th><Table.Th>Role</Table.Th>{canManage && <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>}</Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.data.map((member) => (
                <Table.Tr key={member.user_id} data-member={member.username} data-role={member.role}>
                  <Table.Td>
                    <Text size="sm" fw={500}>{member.username}{member.user_id === me?.user.id ? ' (you)' : ''}</Text>
                    {member.display_name && member.display_name !== member.username && <Text size="xs" c="dimmed">{member.display_name}</Text>}
                  </Table.Td>
                  <Table.Td>
                    {canManage
                      ? <Select aria-label={`Role of ${member.username}`} size="xs" w={140} allowDeselect={false} value={member.role}
                          data={ROLES.map((role) => ({ value: role, label: role }))} disabled={changeRole.isPending}
                          onChange={(role) => { if (role && role !== member.role) changeRole.mutate({ userId: member.user_id, role: role as Role }); }} />
                      : <Text size="sm">{member.role}</Text>}
                  </Table.Td>
                  {canManage && (
                    <Table.Td>
                      <Group justify="flex-end"><Button size="compact-sm" variant="subtle" color="red" aria-label={`Remove ${member.username}`} onClick={() => setRemoving(member)}>Remove</Button></Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {adding && members.data && <AddMemberDialog opened members={members.data} onClose={() => setAdding(false)} />}
      <ConfirmDialog opened={removing !== null} onClose={() => setRemoving(null)} confirmLabel="Remove"
        title={`Remove ${removing?.username ?? ''} from the project?`} onConfirm={() => (removing ? remove.mutateAsync(removing.user_id) : Promise.resolve())}>
        They lose access to the project's workflows, runs and settings at their next sign-in or token renewal (within 15 minutes).
      </ConfirmDialog>
    </Stack>
  );
}
