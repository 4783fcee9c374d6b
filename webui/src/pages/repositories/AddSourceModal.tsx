import { Button, Group, Modal, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useNavigate } from 'react-router';
import { useAddSource } from '../../api/repositories.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { SourceFields } from './SourceFields.js';
import { addSourceBody, emptySource, fieldErrorsOf, validateSource, type SourceValues } from './sourceForm.js';

/** Adds a git source; once added, the source's page (where it is scanned) opens. */
export function AddSourceModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const add = useAddSource();
  const form = useForm<SourceValues>({ mode: 'uncontrolled', initialValues: emptySource, validate: (values) => validateSource(values) });
  const close = () => {
    form.reset();
    add.reset();
    onClose();
  };
  const submit = form.onSubmit(async (values) => {
    try {
      const source = await add.mutateAsync(addSourceBody(values));
      form.reset();
      onClose();
      void navigate(`/repositories/${source.id}`);
    } catch (error) {
      form.setErrors(fieldErrorsOf(error));
    }
  });
  return (
    <Modal opened={opened} onClose={close} title="Add repository" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <SourceFields form={form} withCredentials />
          <ErrorAlert error={add.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>Cancel</Button>
            <Button type="submit" loading={add.isPending}>Add</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
