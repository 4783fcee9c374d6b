import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { ErrorAlert } from '../../ui/ErrorAlert.js';

export type ConfirmDialogProps = {
  /** The modal's title, e.g. "Delete variable API_URL?" */
  title: string;
  children: ReactNode;
  /** The confirming button's label, e.g. "Delete". */
  confirmLabel: string;
  /** When set, the person types this text before the button works (for what cannot be undone at scale). */
  typeToConfirm?: string;
  opened: boolean;
  onClose: () => void;
  onConfirm: () => Promise<unknown>;
};

/** Asks before something that cannot be undone; the API's refusal shows in the dialog, which stays open. */
export function ConfirmDialog({ title, children, confirmLabel, typeToConfirm, opened, onClose, onConfirm }: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setTyped('');
    setError(null);
    onClose();
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      close();
    } catch (refused) {
      setError(refused);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={close} title={title} centered>
      <Stack>
        <Text size="sm" component="div">{children}</Text>
        {typeToConfirm !== undefined && (
          <TextInput label={`Type ${typeToConfirm} to confirm`} value={typed} onChange={(event) => setTyped(event.currentTarget.value)} data-autofocus autoComplete="off" />
        )}
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>Cancel</Button>
          <Button color="red" loading={busy} disabled={typeToConfirm !== undefined && typed !== typeToConfirm} onClick={() => void confirm()}>{confirmLabel}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
