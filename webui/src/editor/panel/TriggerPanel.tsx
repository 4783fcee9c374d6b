import { Text } from '@mantine/core';
import type { TriggerPanelProps } from '../contract.js';

export function TriggerPanel(_props: TriggerPanelProps) {
  return <Text c="dimmed">The trigger settings are being written.</Text>;
}
