import { AppShell, Burger, Group, Menu, NavLink, Select, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useMe } from '../api/me.js';
import { useSession } from '../api/session.js';
import { NAV } from './nav.js';

/** Read by screen readers, not shown: the switcher's value says what it is to the eye. */
const VISUALLY_HIDDEN = { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' } as const;

function ProjectSwitcher() {
  const { data: me } = useMe();
  const session = useSession();
  const queryClient = useQueryClient();
  const projects = me?.projects ?? [];
  if (projects.length === 0) return <Text size="sm" c="dimmed">No project yet</Text>;
  return (
    <Select
      label="Project" styles={{ label: VISUALLY_HIDDEN }} size="xs" w={200} allowDeselect={false} searchable={projects.length > 8}
      data={projects.map((project) => ({ value: project.id, label: project.name }))}
      value={session.projectId}
      onChange={async (projectId) => {
        if (!projectId || projectId === session.projectId) return;
        await session.switchProject(projectId);
        // Everything shown belongs to the project: read it all again for the new one.
        queryClient.removeQueries();
      }}
    />
  );
}

function UserMenu() {
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <UnstyledButton aria-label={`Account ${session.username ?? ''}`.trim()} px="xs"><Text size="sm" fw={500}>{session.username}</Text></UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={async () => {
          await session.logout().catch(() => undefined);
          queryClient.clear();
          void navigate('/login');
        }}>Log out</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** The frame of every page once logged in: the header (project, account) and the navigation. */
export function Layout({ children }: { children?: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const { data: me } = useMe();
  const location = useLocation();
  const entries = NAV.filter((entry) => !entry.adminOnly || me?.user.is_admin);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <Text component={Link} to="/" fw={700} c="green.8" translate="no">Trellis</Text>
          </Group>
          <Group wrap="nowrap" gap="sm"><ProjectSwitcher /><UserMenu /></Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Sections">
        {entries.map((entry) => (
          <NavLink key={entry.path} component={Link} to={entry.path} label={entry.label} onClick={close}
            active={location.pathname === entry.path || location.pathname.startsWith(`${entry.path}/`)} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main component="main">{children ?? <Outlet />}</AppShell.Main>
    </AppShell>
  );
}
