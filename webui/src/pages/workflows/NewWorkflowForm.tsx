import { Button, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDocumentTitle } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApi } from '../../api/session.js';
import { createWorkflow } from '../../api/workflows.js';
import { emptyDraft, type DraftTrigger } from '../../editor/draft.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';

const NAME = /^[a-z0-9](?:[a-z0-9-]{1,62})[a-z0-9]$/;

function firstTrigger(type: string, name: string): DraftTrigger {
  if (type === 'http') return { type: 'http', path: name };
  if (type === 'schedule') return { type: 'schedule', cron: '0 * * * *' };
  return { type: 'manual' };
}

/** A new workflow: its name and how runs start; the editor opens on the saved draft. */
export function NewWorkflowForm() {
  useDocumentTitle('Trellis · New workflow');
  const client = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>();
  const form = useForm({
    initialValues: { name: '', trigger: 'manual' },
    validate: {
      name: (value) => (NAME.test(value) ? null : '3 to 64 of a-z, 0-9 and -, not starting or ending with -'),
    },
  });
  return (
    <Stack maw={480}>
      <Title order={1} size="h2">New workflow</Title>
      <Text c="dimmed">Name it and choose what starts it; then add steps from the library on the canvas.</Text>
      <form onSubmit={form.onSubmit(async (values) => {
        setError(undefined);
        try {
          const created = await createWorkflow(client, { ...emptyDraft(values.name), trigger: firstTrigger(values.trigger, values.name) });
          await queryClient.invalidateQueries({ queryKey: ['workflows'] });
          await navigate(`/workflows/${created.id}`);
        } catch (caught) {
          setError(caught);
        }
      })}>
        <Stack>
          <TextInput label="Name" description="Used in URLs, the CLI and file names" required withAsterisk={false} {...form.getInputProps('name')} />
          <Select label="Trigger" allowDeselect={false} data={[{ value: 'http', label: 'HTTP' }, { value: 'manual', label: 'Manual' }, { value: 'schedule', label: 'Schedule' }]} {...form.getInputProps('trigger')} />
          <ErrorAlert error={error} />
          <Group><Button type="submit" loading={form.submitting}>Create</Button></Group>
        </Stack>
      </form>
    </Stack>
  );
}
