import { Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useSession } from '../api/session.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';

export function LoginPage() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<unknown>();
  const form = useForm({
    initialValues: { username: '', password: '' },
    validate: { username: (value) => (value.trim() ? null : 'Your username'), password: (value) => (value ? null : 'Your password') },
  });
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  const submit = form.onSubmit(async ({ username, password }) => {
    setError(undefined);
    try {
      await session.login(username.trim(), password);
      void navigate(from, { replace: true });
    } catch (failure) {
      setError(failure);
    }
  });

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={380} component="main">
        <form onSubmit={submit} aria-label="Log in">
          <Stack>
            <Title order={1} size="h2">Log in to Trellis</Title>
            <ErrorAlert error={error} />
            <TextInput label="Username" autoComplete="username" autoFocus {...form.getInputProps('username')} />
            <PasswordInput label="Password" autoComplete="current-password" {...form.getInputProps('password')} />
            <Button type="submit" loading={form.submitting}>Log in</Button>
            <Text size="sm" c="dimmed">
              The first administrator's password is printed by <code>make up</code>. <Anchor component={Link} to="/status">Platform status</Anchor>
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
