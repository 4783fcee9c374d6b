import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  succeeded: 'green', ready: 'green', deployed: 'green', active: 'green', done: 'green', built: 'green',
  failed: 'red', error: 'red', failure: 'red', success: 'green', revoked: 'gray', disabled: 'gray', expired: 'gray', canceled: 'orange', skipped: 'gray', undeployed: 'gray', pending: 'gray', queued: 'gray',
  running: 'blue', retrying: 'yellow', waiting: 'grape', building: 'blue', deploying: 'blue', undeploying: 'blue',
};

/**
 * A status as a coloured badge; the word is always written, never the colour alone, and whole:
 * a badge would clip it in a narrow cell or node.
 */
export function StatusBadge({ status }: { status: string }) {
  return <Badge color={COLORS[status] ?? 'gray'} variant="light" data-status={status} miw="max-content" style={{ flexShrink: 0 }}>{status}</Badge>;
}
