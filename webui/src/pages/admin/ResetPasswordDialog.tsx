import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useUpdateUser, type User } from '../../api/admin.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';

/** Sets a new password for someone who lost theirs; their sessions end. */
export function ResetPasswordDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  const update = useUpdateUser();
  const [error, setError] = useState<unknown>(null);
  const form = useForm({ initialValues: { password: '' }, validate: { password: (value) => (value ? null : 'The new password') } });
  const close = () => {
    form.reset();
    setError(null);
    onClose();
  };
  const submit = form.onSubmit(async ({ password }) => {
    if (!user) return;
    setError(null);
    try {
      await update.mutateAsync({ userId: user.id, password });
      close();
    } catch (refused) {
      setError(refused);
    }
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={user !== null} onClose={close} title={`Reset the password of ${user?.username ?? ''}`} centered>
      <form onSubmit={submit} aria-label="Reset password">
        <Stack>
          <Text size="sm">Their sessions end; tell them the new password another way.</Text>
          <PasswordInput label="New password" autoComplete="new-password" data-autofocus {...form.getInputProps('password')} />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>Cancel</Button>
            <Button type="submit" loading={update.isPending}>Reset password</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
