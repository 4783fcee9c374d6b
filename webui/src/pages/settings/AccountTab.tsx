import { Button, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMe } from '../../api/me.js';
import { useChangePassword, useUpdateMe } from '../../api/settings.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';

function DisplayName({ current }: { current: string }) {
  const update = useUpdateMe();
  const form = useForm({ initialValues: { displayName: current } });
  return (
    <form aria-label="My display name" onSubmit={form.onSubmit(({ displayName }) => update.mutate(displayName.trim(), {
      onSuccess: () => notifications.show({ message: 'Display name saved' }),
    }))}>
      <Group align="flex-end">
        <TextInput label="Display name" w={320} {...form.getInputProps('displayName')} />
        <Button type="submit" variant="light" loading={update.isPending}>Save name</Button>
      </Group>
      <ErrorAlert error={update.error} />
    </form>
  );
}

function Password() {
  const change = useChangePassword();
  const form = useForm({
    initialValues: { current: '', next: '', again: '' },
    validate: { current: (value) => (value ? null : 'Your current password'), next: (value) => (value ? null : 'A new password'), again: (value, values) => (value === values.next ? null : 'Not the same as the new password') },
  });
  return (
    <form aria-label="Change password" onSubmit={form.onSubmit(({ current, next }) => change.mutate({ current_password: current, new_password: next }, {
      onSuccess: () => {
        form.reset();
        notifications.show({ message: 'Password changed; your other sessions have ended' });
      },
    }))}>
      <Stack maw={320}>
        <PasswordInput label="Current password" autoComplete="current-password" {...form.getInputProps('current')} />
        <PasswordInput label="New password" autoComplete="new-password" {...form.getInputProps('next')} />
        <PasswordInput label="New password again" autoComplete="new-password" {...form.getInputProps('again')} />
        <ErrorAlert error={change.error} />
        <Button type="submit" variant="light" loading={change.isPending}>Change password</Button>
      </Stack>
    </form>
  );
}

/** My own account (not the project's): my display name and my password. */
export function AccountTab() {
  const me = useMe();
  if (!me.data) return <ErrorAlert error={me.error} />;
  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={2} size="h4">My account</Title>
        <Text size="sm" c="dimmed">Signed in as {me.data.user.username}{me.data.user.is_admin ? ', an instance administrator' : ''}.</Text>
        <DisplayName current={me.data.user.display_name} />
        <Title order={3} size="h5">Password</Title>
        <Password />
      </Stack>
    </Paper>
  );
}
