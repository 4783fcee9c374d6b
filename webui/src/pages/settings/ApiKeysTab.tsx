import { Button, Code, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useCan } from '../../api/me.js';
import { useApiKeys, useRevokeApiKey, type ApiKey, type CreatedApiKey } from '../../api/settings.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { ApiKeyDialog } from './ApiKeyDialog.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { NewKeyDialog } from './NewKeyDialog.js';
import { formatTime } from './time.js';

function keyStatus(key: ApiKey, now: number): 'active' | 'revoked' | 'expired' {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && Date.parse(key.expires_at) <= now) return 'expired';
  return 'active';
}

/** The project's API keys: only its owners see and manage them (the API's rule, admins included). */
export function ApiKeysTab() {
  const isOwner = useCan('owner');
  const keys = useApiKeys(isOwner);
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  if (!isOwner) return <Text>Only the project's owners see and manage its API keys.</Text>;
  const now = Date.now();
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={640}>Keys let scripts and CI act in this project with a role of their own, without a person's login. A key's secret is shown once, when it is created.</Text>
        <Button onClick={() => setCreating(true)}>Create API key</Button>
      </Group>
      <ErrorAlert error={keys.error} />
      {keys.data?.length === 0 && <Text>No API key yet. Create one for a script or a CI pipeline.</Text>}
      {keys.data && keys.data.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table aria-label="API keys" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Role</Table.Th><Table.Th>Status</Table.Th><Table.Th>Created</Table.Th><Table.Th>Expires</Table.Th><Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.data.map((key) => {
                const status = keyStatus(key, now);
                return (
                  <Table.Tr key={key.id} data-api-key={key.name}>
                    <Table.Td><Text size="sm" fw={500}>{key.name}</Text><Code>{key.prefix}…</Code></Table.Td>
                    <Table.Td data-role={key.role}>{key.role}</Table.Td>
                    <Table.Td><StatusBadge status={status} /></Table.Td>
                    <Table.Td><Text size="sm">{formatTime(key.created_at)}</Text></Table.Td>
                    <Table.Td><Text size="sm">{key.expires_at ? formatTime(key.expires_at) : 'Never'}</Text></Table.Td>
                    <Table.Td>
                      {status === 'active' && <Button size="compact-sm" variant="subtle" color="red" aria-label={`Revoke ${key.name}`} onClick={() => setRevoking(key)}>Revoke</Button>}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {creating && <ApiKeyDialog opened onClose={() => setCreating(false)} onCreated={(key) => { setCreating(false); setCreated(key); }} />}
      <NewKeyDialog created={created} onClose={() => setCreated(null)} />
      <ConfirmDialog opened={revoking !== null} onClose={() => setRevoking(null)} confirmLabel="Revoke"
        title={`Revoke API key ${revoking?.name ?? ''}?`} onConfirm={() => (revoking ? revoke.mutateAsync(revoking.id) : Promise.resolve())}>
        Every service refuses it within a minute. Whatever uses it stops working; this cannot be undone.
      </ConfirmDialog>
    </Stack>
  );
}
