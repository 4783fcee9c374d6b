import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useCreateProject, useRenameProject, type Project } from '../../api/admin.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { showRefusal } from '../../ui/refusal.js';

const FIELDS = { project_name_taken: 'name', invalid_project_name: 'name', invalid_project_title: 'title' } as const;

/** Creates a project (a permanent name and a title), or renames one (its title; the name never changes). */
export function ProjectDialog({ renaming, opened, onClose }: { renaming?: Project; opened: boolean; onClose: () => void }) {
  const create = useCreateProject();
  const rename = useRenameProject();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({
    initialValues: { name: renaming?.name ?? '', title: renaming?.title ?? '' },
    validate: { name: (value) => (value.trim() ? null : 'A name, e.g. payments') },
  });
  const submit = form.onSubmit(async ({ name, title }) => {
    setError(null);
    try {
      if (renaming) await rename.mutateAsync({ projectId: renaming.id, title: title.trim() || null });
      else await create.mutateAsync({ name: name.trim(), title: title.trim() || null });
      onClose();
    } catch (refused) {
      showRefusal(refused, FIELDS, form, setError);
    }
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={onClose} title={renaming ? `Rename project ${renaming.name}` : 'Create project'} centered>
      <form onSubmit={submit} aria-label={renaming ? 'Rename project' : 'Create project'}>
        <Stack>
          <TextInput label="Name" description="Lowercase letters, digits and dashes; used in URLs and never changes" readOnly={renaming !== undefined}
            autoComplete="off" data-autofocus={renaming ? undefined : true} {...form.getInputProps('name')} />
          <TextInput label="Title" description="What people read (optional)" autoComplete="off" data-autofocus={renaming ? true : undefined} {...form.getInputProps('title')} />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={create.isPending || rename.isPending}>{renaming ? 'Rename' : 'Create'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
