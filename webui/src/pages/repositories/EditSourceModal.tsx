import { Button, Group, Modal, Radio, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useChangeSource, type SourceDetail } from '../../api/repositories.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { SourceFields } from './SourceFields.js';
import { changeSourceBody, fieldErrorsOf, validateSource, valuesOf, type CredentialsChoice, type SourceValues } from './sourceForm.js';

/** Renames a source, changes its address or branch, and keeps, replaces or removes its credentials. */
export function EditSourceModal({ source, opened, onClose }: { source: SourceDetail; opened: boolean; onClose: () => void }) {
  const change = useChangeSource(source.id);
  const [credentials, setCredentials] = useState<CredentialsChoice>('keep');
  const form = useForm<SourceValues>({ mode: 'uncontrolled', initialValues: valuesOf(source), validate: (values) => validateSource(values, credentials) });
  const close = () => {
    form.setValues(valuesOf(source));
    form.clearErrors();
    setCredentials('keep');
    change.reset();
    onClose();
  };
  const submit = form.onSubmit(async (values) => {
    try {
      await change.mutateAsync(changeSourceBody(values, source, credentials));
      close();
    } catch (error) {
      form.setErrors(fieldErrorsOf(error));
    }
  });
  return (
    <Modal opened={opened} onClose={close} title={`Edit ${source.name}`} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <SourceFields form={form} withCredentials={credentials === 'replace'} />
          <Radio.Group label="Credentials" value={credentials} onChange={(value) => setCredentials(value as CredentialsChoice)}>
            <Group mt="xs">
              <Radio value="keep" label={source.has_credentials ? 'Keep the stored ones' : 'None'} />
              <Radio value="replace" label={source.has_credentials ? 'Replace them' : 'Add some'} />
              {source.has_credentials && <Radio value="remove" label="Remove them" />}
            </Group>
          </Radio.Group>
          <ErrorAlert error={change.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>Cancel</Button>
            <Button type="submit" loading={change.isPending}>Save</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
