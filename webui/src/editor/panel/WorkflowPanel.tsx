import { Text } from '@mantine/core';
import type { WorkflowPanelProps } from '../contract.js';

export function WorkflowPanel(_props: WorkflowPanelProps) {
  return <Text c="dimmed">The workflow settings are being written.</Text>;
}
