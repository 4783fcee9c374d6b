import { Box, Stack, Text, Title } from '@mantine/core';
import type { ResultsPanelProps } from '../contract.js';
import { problemsByField } from './fields.js';
import { NamedValues } from './NamedValues.js';
import { offersFor, referencesFor } from './references.js';

/** What a run gives back (the HTTP trigger's answer, the webhook's payload): names and values, usually references. */
export function ResultsPanel({ draft, context, problems, onChange }: ResultsPanelProps) {
  const names = Object.keys(draft.results ?? {});
  const { byField, rest } = problemsByField(problems, 'results', names);
  // Every reference but secrets (a result would leave them in clear) and item/failure.
  const offers = offersFor(referencesFor(draft, { kind: 'result' }, context), undefined);
  return (
    <Box component="section" aria-label="Results">
      <Stack gap="sm">
        <Title order={2} size="h4">Results</Title>
        {rest.map((problem) => <Text key={`${problem.path}-${problem.message}`} size="sm" c="red.8" role="alert">{problem.message}</Text>)}
        <NamedValues
          noun="Result" valueType="string" values={draft.results} byField={byField} readOnly={context.readOnly} offers={offers}
          empty="No result: a run gives nothing back. Add one, usually a step's output."
          onChange={(results) => onChange(results ?? {})}
        />
      </Stack>
    </Box>
  );
}
