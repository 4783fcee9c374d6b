import { Box, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import type { SiteName } from '@trellis/workflow-language/resources';
import type { WorkflowPanelProps } from '../contract.js';
import { requiredField } from './required.js';
import { durationError, errorOf, problemsByField, webhookError, workflowNameError } from './fields.js';

const FIELDS = ['name', 'title', 'description', 'site', 'timeout', 'on_finish'];

/** '' is the instance's default: the document then names no site. */
const SITES: { value: '' | SiteName; label: string }[] = [
  { value: '', label: 'The instance\'s default' },
  { value: 'local', label: 'Local: processes on the runner\'s machine' },
  { value: 'docker', label: 'Docker: a container per action' },
  { value: 'kubernetes', label: 'Kubernetes: pods' },
];

/** The workflow's own fields: its name (in URLs and the CLI), title, description, site, run timeout and completion webhook. */
export function WorkflowPanel({ draft, context, problems, onChange }: WorkflowPanelProps) {
  const { byField, rest } = problemsByField(problems, '', FIELDS);
  const readOnly = context.readOnly;
  const error = (field: string, local?: string) => errorOf(byField, field, local);
  // An emptied optional field leaves the document (undefined), never ''.
  const text = (value: string) => (value === '' ? undefined : value);
  return (
    <Box component="section" aria-label="Workflow settings">
      <Stack gap="sm">
        <Title order={2} size="h4">Workflow</Title>
        {rest.filter((problem) => !problem.path.startsWith('steps') && !problem.path.startsWith('trigger') && !problem.path.startsWith('results')).map((problem) => <Text key={`${problem.path}-${problem.message}`} size="sm" c="red.8">{problem.message}</Text>)}
        <TextInput label="Name" {...requiredField()} readOnly={readOnly} value={draft.name} description="3 to 64 of a-z, 0-9 and -: in URLs, the CLI and file names" error={error('name', workflowNameError(draft.name))} onChange={(event) => onChange({ name: event.currentTarget.value })} />
        <TextInput label="Title" readOnly={readOnly} value={draft.title ?? ''} error={error('title')} onChange={(event) => onChange({ title: text(event.currentTarget.value) })} />
        <Textarea label="Description" autosize minRows={2} maxRows={8} readOnly={readOnly} value={draft.description ?? ''} error={error('description')} onChange={(event) => onChange({ description: text(event.currentTarget.value) })} />
        <Select
          label="Site" description="Where its actions run. Docker and Kubernetes need actions built with images" allowDeselect={false} disabled={readOnly}
          data={SITES} value={draft.site ?? ''} error={error('site')}
          onChange={(value) => onChange({ site: value ? (value as SiteName) : undefined })}
        />
        <TextInput label="Run timeout" placeholder="none" description="A run still going after this long fails (run_timeout): 30m, 2h, 1d" readOnly={readOnly} value={draft.timeout ?? ''} error={error('timeout', durationError(draft.timeout))} onChange={(event) => onChange({ timeout: text(event.currentTarget.value) })} />
        <TextInput
          label="Completion webhook" placeholder="https://example.com/hooks/done" description="Receives the run's status and results when it ends, signed with the workflow's secret"
          readOnly={readOnly} value={draft.on_finish?.webhook ?? ''} error={error('on_finish', webhookError(draft.on_finish?.webhook))}
          onChange={(event) => { const webhook = event.currentTarget.value; onChange({ on_finish: webhook === '' ? undefined : { webhook } }); }}
        />
      </Stack>
    </Box>
  );
}
