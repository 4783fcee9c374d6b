import { Alert, Stack, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useMe } from '../../api/me.js';
import { UrlTabs } from '../../ui/UrlTabs.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { AuditTab } from './AuditTab.js';
import { ProjectsTab } from './ProjectsTab.js';
import { UsersTab } from './UsersTab.js';

const TABS = [
  { value: 'users', label: 'Users', panel: <UsersTab /> },
  { value: 'projects', label: 'Projects', panel: <ProjectsTab /> },
  { value: 'audit', label: 'Audit log', panel: <AuditTab /> },
] as const;

/** The instance's administration: for its administrators only (the API refuses anyone else; the page says so first). */
export function AdminPage() {
  useDocumentTitle('Trellis · Administration');
  const me = useMe();
  if (!me.data) return <ErrorAlert error={me.error} />;
  if (!me.data.user.is_admin) {
    return (
      <Stack>
        <Title order={1} size="h2">Administration</Title>
        <Alert color="red" title="Not allowed" role="alert">
          Not allowed: the administration (users, projects, audit log) is for the instance's administrators. Ask one of them if you need access.
        </Alert>
      </Stack>
    );
  }
  return (
    <Stack>
      <Title order={1} size="h2">Administration</Title>
      <UrlTabs tabs={TABS} />
    </Stack>
  );
}
