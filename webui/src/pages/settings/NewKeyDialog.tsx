import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import type { CreatedApiKey } from '../../api/settings.js';

/**
 * The new key's secret, shown this once: the API keeps only its hash and no later answer holds
 * it, so closing this dialog forgets it for good.
 */
export function NewKeyDialog({ created, onClose }: { created: CreatedApiKey | null; onClose: () => void }) {
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={created !== null} onClose={onClose} title={`API key ${created?.name ?? ''} created`} centered size="lg" closeOnClickOutside={false}>
      {created && (
        <Stack>
          <Alert color="yellow" title="Copy it now">This key will not be shown again. Store it where it is used (a CI secret, a password manager).</Alert>
          <Code block data-api-key-secret aria-label="The new API key" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{created.key}</Code>
          <Text size="sm" c="dimmed">Send it as <Code>Authorization: Bearer …</Code>, or set <Code>TRELLIS_API_KEY</Code> for the trellis command line. It acts as a {created.role} in this project.</Text>
          <Group justify="flex-end">
            <CopyButton value={created.key}>
              {({ copied, copy }) => <Button variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy key'}</Button>}
            </CopyButton>
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
