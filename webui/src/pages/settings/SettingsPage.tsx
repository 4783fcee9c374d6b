import { Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useMe } from '../../api/me.js';
import { UrlTabs } from '../../ui/UrlTabs.js';
import { AccountTab } from './AccountTab.js';
import { ApiKeysTab } from './ApiKeysTab.js';
import { MembersTab } from './MembersTab.js';
import { SecretsTab } from './SecretsTab.js';
import { VariablesTab } from './VariablesTab.js';

const TABS = [
  { value: 'variables', label: 'Variables', panel: <VariablesTab /> },
  { value: 'secrets', label: 'Secrets', panel: <SecretsTab /> },
  { value: 'api-keys', label: 'API keys', panel: <ApiKeysTab /> },
  { value: 'members', label: 'Members', panel: <MembersTab /> },
  { value: 'account', label: 'Account', panel: <AccountTab /> },
] as const;

/** The current project's variables, secrets, API keys and members, and my account; the tab is kept in ?tab= so a reload stays on it. */
export function SettingsPage() {
  useDocumentTitle('Trellis · Project settings');
  const me = useMe().data;
  const project = me?.current_project;
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">Project settings</Title>
        {project && <Text c="dimmed" data-project={project.name}>{project.title ?? project.name} · your role: {project.role}</Text>}
      </div>
      {me && !project
        ? <Text>You are in no project yet: an administrator adds you to one.</Text>
        : <UrlTabs tabs={TABS} />}
    </Stack>
  );
}
