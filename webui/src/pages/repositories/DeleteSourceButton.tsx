import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useNavigate } from 'react-router';
import { useDeleteSource, type SourceDetail } from '../../api/repositories.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';

/** Deletes a source after a confirmation that says what goes with it. */
export function DeleteSourceButton({ source }: { source: SourceDetail }) {
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useDeleteSource(source.id);
  const navigate = useNavigate();
  return (
    <>
      <Button color="red" variant="light" onClick={open}>Delete</Button>
      <Modal opened={opened} onClose={() => { remove.reset(); close(); }} title={`Delete ${source.name}?`}>
        <Stack>
          <Text>Its scans, build records and stored source tarballs are deleted with it.</Text>
          <ErrorAlert error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>Keep it</Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(undefined, { onSuccess: () => { close(); void navigate('/repositories'); } })}>Delete source</Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
