import { Tabs } from '@mantine/core';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';

export type UrlTab = { value: string; label: string; panel: ReactNode };

/** Tabs whose current one is kept in `?tab=` (the first one leaves it out), so a reload or a link stays on it. */
export function UrlTabs({ tabs }: { tabs: readonly UrlTab[] }) {
  const [params, setParams] = useSearchParams();
  const first = tabs[0]?.value;
  const tab = tabs.find((candidate) => candidate.value === params.get('tab'))?.value ?? first;
  return (
    <Tabs value={tab ?? null} onChange={(value) => setParams(value && value !== first ? { tab: value } : {}, { replace: true })} keepMounted={false}>
      <Tabs.List>
        {tabs.map((candidate) => <Tabs.Tab key={candidate.value} value={candidate.value}>{candidate.label}</Tabs.Tab>)}
      </Tabs.List>
      {tabs.map((candidate) => <Tabs.Panel key={candidate.value} value={candidate.value} pt="md">{candidate.panel}</Tabs.Panel>)}
    </Tabs>
  );
}
