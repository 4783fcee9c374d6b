import { Badge, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { checkReadiness, services, type Readiness } from '../readiness.js';

const REFRESH_MS = 5000;
const TIMEOUT_MS = 4000;

const labels: Record<Readiness['state'], { text: string; color: string }> = {
  ready: { text: 'Ready', color: 'green' },
  'not-ready': { text: 'Not ready', color: 'red' },
  unreachable: { text: 'Unreachable', color: 'orange' },
};

function details(readiness: Readiness): string {
  switch (readiness.state) {
    case 'ready':
      return readiness.checks.length > 0 ? `Checks passing: ${readiness.checks.join(', ')}` : 'Ready';
    case 'not-ready':
      return readiness.failing.length > 0 ? readiness.failing.map((check) => `${check.name}: ${check.message}`).join('; ') : readiness.reason;
    case 'unreachable':
      return readiness.reason;
  }
}

/** Whether each service is ready, as its /readyz says through the gateway (read raw: a 503 is an answer here, not an error). */
export function StatusPage() {
  useDocumentTitle('Trellis · Platform status');
  const { data, dataUpdatedAt } = useQuery({
    queryKey: ['readiness'],
    queryFn: () => Promise.all(services.map(async (service) => ({ service, readiness: await checkReadiness(service, TIMEOUT_MS) }))),
    refetchInterval: REFRESH_MS,
  });
  const ready = data?.filter(({ readiness }) => readiness.state === 'ready').length ?? 0;
  return (
    <>
      <Title order={1} size="h2" mb="xs">Platform status</Title>
      <Text mb="md">Whether each Trellis service is ready to work, as its <code>/readyz</code> endpoint reports through this gateway.</Text>
      <Text id="summary" role="status" aria-live="polite" fw={500} mb="sm">
        {data ? `${ready} of ${services.length} services are ready.` : 'Checking the services…'}
      </Text>
      <Table striped withTableBorder>
        <Table.Caption>Readiness of each Trellis service</Table.Caption>
        <Table.Thead><Table.Tr><Table.Th scope="col">Service</Table.Th><Table.Th scope="col">State</Table.Th><Table.Th scope="col">Details</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody id="services">
          {services.map((service) => {
            const readiness = data?.find((entry) => entry.service.id === service.id)?.readiness;
            return (
              <Table.Tr key={service.id} data-service={service.id} data-state={readiness?.state ?? 'checking'}>
                <Table.Th scope="row">{service.name} <Text span size="xs" c="dimmed"><code>{service.readyz}</code></Text></Table.Th>
                <Table.Td className="state">{readiness ? <Badge color={labels[readiness.state].color} variant="light">{labels[readiness.state].text}</Badge> : 'Checking…'}</Table.Td>
                <Table.Td className="details">{readiness ? details(readiness) : ''}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <Text id="checked-at" size="sm" c="dimmed" mt="sm">
        {dataUpdatedAt ? `Last checked at ${new Date(dataUpdatedAt).toLocaleTimeString()}. ` : ''}Refreshes every 5 seconds.
      </Text>
    </>
  );
}
