import { Text } from '@mantine/core';
import type { StepPanelProps } from '../contract.js';

export function StepPanel(_props: StepPanelProps) {
  return <Text c="dimmed">The step settings are being written.</Text>;
}
