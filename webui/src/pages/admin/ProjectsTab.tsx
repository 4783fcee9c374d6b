import { Button, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useDeleteProject, useProjects, useUsers, type Project } from '../../api/admin.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { ConfirmDialog } from '../settings/ConfirmDialog.js';
import { formatTime } from '../settings/time.js';
import { ProjectDialog } from './ProjectDialog.js';

type Dialog = { kind: 'create' } | { kind: 'rename'; project: Project } | null;

/** Every project of the instance: create, rename (its title), delete (typing its name, for it takes everything in it). */
export function ProjectsTab() {
  const projects = useProjects();
  const users = useUsers();
  const remove = useDeleteProject();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [deleting, setDeleting] = useState<Project | null>(null);
  const username = (id: string) => users.data?.find((user) => user.id === id)?.username ?? id;
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={640}>Each project has its own repositories, actions, workflows, runs, variables, secrets and members. Whoever creates one becomes its owner.</Text>
        <Button onClick={() => setDialog({ kind: 'create' })}>Create project</Button>
      </Group>
      <ErrorAlert error={projects.error} />
      {projects.data && (
        <Table.ScrollContainer minWidth={640}>
          <Table aria-label="Projects" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Title</Table.Th><Table.Th>Created by</Table.Th><Table.Th>Created</Table.Th><Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {projects.data.map((project) => (
                <Table.Tr key={project.id} data-project={project.name}>
                  <Table.Td><Text size="sm" fw={500}>{project.name}</Text></Table.Td>
                  <Table.Td><Text size="sm">{project.title ?? '—'}</Text></Table.Td>
                  <Table.Td><Text size="sm">{username(project.created_by)}</Text></Table.Td>
                  <Table.Td><Text size="sm">{formatTime(project.created_at)}</Text></Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button size="compact-sm" variant="subtle" aria-label={`Rename ${project.name}`} onClick={() => setDialog({ kind: 'rename', project })}>Rename</Button>
                      <Button size="compact-sm" variant="subtle" color="red" aria-label={`Delete ${project.name}`} onClick={() => setDeleting(project)}>Delete</Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {dialog?.kind === 'create' && <ProjectDialog opened onClose={() => setDialog(null)} />}
      {dialog?.kind === 'rename' && <ProjectDialog opened renaming={dialog.project} onClose={() => setDialog(null)} />}
      <ConfirmDialog opened={deleting !== null} onClose={() => setDeleting(null)} confirmLabel="Delete project" typeToConfirm={deleting?.name}
        title={`Delete project ${deleting?.name ?? ''}?`} onConfirm={() => (deleting ? remove.mutateAsync(deleting.id) : Promise.resolve())}>
        Every service deletes the project's repositories, actions, workflows, runs, variables, secrets, members and API keys. This cannot be undone.
      </ConfirmDialog>
    </Stack>
  );
}
