import { Button, Code, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useCan } from '../../api/me.js';
import { useDeleteSecret, useSecrets } from '../../api/settings.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { SecretDialog } from './SecretDialog.js';
import { formatTime } from './time.js';

type Dialog = { kind: 'add' } | { kind: 'replace'; name: string } | { kind: 'delete'; name: string } | null;

/** The project's secrets: names and dates only (the API never returns a value); developers and owners change them. */
export function SecretsTab() {
  const canEdit = useCan('developer');
  const secrets = useSecrets();
  const remove = useDeleteSecret();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={640}>Passwords, tokens and keys your workflows read as <Code>{'${{ secrets.NAME }}'}</Code>. They are write-only: the project sees their names, never their values.</Text>
        {canEdit && <Button onClick={() => setDialog({ kind: 'add' })}>Add secret</Button>}
      </Group>
      <ErrorAlert error={secrets.error} />
      {secrets.data?.length === 0 && <Text>No secret yet.{canEdit ? ' Add one for a password or a token a workflow needs.' : ''}</Text>}
      {secrets.data && secrets.data.length > 0 && (
        <Table.ScrollContainer minWidth={420}>
          <Table aria-label="Secrets" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Updated</Table.Th>{canEdit && <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>}</Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {secrets.data.map((secret) => (
                <Table.Tr key={secret.name} data-secret={secret.name}>
                  <Table.Td><Code>{secret.name}</Code></Table.Td>
                  <Table.Td><Text size="sm">{formatTime(secret.updated_at)}</Text></Table.Td>
                  {canEdit && (
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Button size="compact-sm" variant="subtle" aria-label={`Replace value of ${secret.name}`} onClick={() => setDialog({ kind: 'replace', name: secret.name })}>Replace value</Button>
                        <Button size="compact-sm" variant="subtle" color="red" aria-label={`Delete ${secret.name}`} onClick={() => setDialog({ kind: 'delete', name: secret.name })}>Delete</Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {dialog?.kind === 'add' && <SecretDialog opened onClose={close} />}
      {dialog?.kind === 'replace' && <SecretDialog opened onClose={close} replacing={dialog.name} />}
      <ConfirmDialog opened={dialog?.kind === 'delete'} onClose={close} confirmLabel="Delete"
        title={`Delete secret ${dialog?.kind === 'delete' ? dialog.name : ''}?`}
        onConfirm={() => (dialog?.kind === 'delete' ? remove.mutateAsync(dialog.name) : Promise.resolve())}>
        The value is gone for good. The API refuses while a deployed workflow reads it.
      </ConfirmDialog>
    </Stack>
  );
}
