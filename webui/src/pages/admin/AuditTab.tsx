import { Button, Group, Select, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import { AUDIT_TYPES, useAuditLog, useProjects, useUsers, type AuditFilter, type AuditType } from '../../api/admin.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { formatTime } from '../settings/time.js';
import { actionText, actorText, detailsText, targetText, withDeletedNames, type Names } from './audit-text.js';

/** A datetime-local field's text (the browser's zone) as the API's ISO time; undefined when empty. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The security audit log, newest first, filtered by actor, action and time; "Load more" follows the cursor. */
export function AuditTab() {
  const users = useUsers();
  const projects = useProjects();
  const [actor, setActor] = useState<string | null>(null);
  const [action, setAction] = useState<string | null>(null);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const filter: AuditFilter = {
    ...(actor ? { user_id: actor } : {}), ...(action ? { type: action as AuditType } : {}),
    ...(since ? { since: isoOf(since) } : {}), ...(until ? { until: isoOf(until) } : {}),
  };
  const log = useAuditLog(filter);
  // What was deleted is named by its deletion's entry (the newest page of each kind is enough here).
  const deletedUsers = useAuditLog({ type: 'user_deleted' });
  const deletedProjects = useAuditLog({ type: 'project_deleted' });
  const names: Names = useMemo(() => withDeletedNames({
    users: new Map((users.data ?? []).map((user) => [user.id, user.username])),
    projects: new Map((projects.data ?? []).map((project) => [project.id, project.name])),
  }, [...deletedUsers.data?.pages[0]?.items ?? [], ...deletedProjects.data?.pages[0]?.items ?? []]), [users.data, projects.data, deletedUsers.data, deletedProjects.data]);
  const entries = log.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Stack>
      <Group align="flex-end" role="group" aria-label="Filters">
        <Select label="Actor" description="Who acted or was acted upon" placeholder="Anyone" clearable searchable w={200}
          data={(users.data ?? []).map((user) => ({ value: user.id, label: user.username }))} value={actor} onChange={setActor} />
        <Select label="Action" placeholder="Any action" clearable searchable w={220}
          data={AUDIT_TYPES.map((type) => ({ value: type, label: actionText(type) }))} value={action} onChange={setAction} />
        <TextInput label="From" type="datetime-local" value={since} onChange={(event) => setSince(event.currentTarget.value)} />
        <TextInput label="Until" type="datetime-local" value={until} onChange={(event) => setUntil(event.currentTarget.value)} />
        {(actor || action || since || until) && (
          <Button variant="subtle" onClick={() => { setActor(null); setAction(null); setSince(''); setUntil(''); }}>Clear filters</Button>
        )}
      </Group>
      <ErrorAlert error={log.error} />
      {log.data && entries.length === 0 && <Text>No entry matches these filters.</Text>}
      {entries.length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table aria-label="Audit log" striped>
            <Table.Thead>
              <Table.Tr><Table.Th>Time</Table.Th><Table.Th>Actor</Table.Th><Table.Th>Action</Table.Th><Table.Th>Target</Table.Th><Table.Th>Outcome</Table.Th><Table.Th>Details</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((entry) => (
                <Table.Tr key={entry.id} data-audit-type={entry.type} data-outcome={entry.outcome}>
                  <Table.Td><Tooltip label={entry.occurred_at}><Text size="sm">{formatTime(entry.occurred_at)}</Text></Tooltip></Table.Td>
                  <Table.Td><Text size="sm">{actorText(entry, names)}</Text></Table.Td>
                  <Table.Td><Text size="sm">{actionText(entry.type)}</Text></Table.Td>
                  <Table.Td data-target><Text size="sm">{targetText(entry, names)}</Text></Table.Td>
                  <Table.Td><StatusBadge status={entry.outcome} /></Table.Td>
                  <Table.Td><Text size="xs" c="dimmed">{[detailsText(entry), entry.client_ip ? `from ${entry.client_ip}` : ''].filter(Boolean).join(' · ')}</Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {log.hasNextPage && <Group><Button variant="default" loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>Load more</Button></Group>}
    </Stack>
  );
}
