import { Box, Button, CloseButton, Code, FileButton, Group, Input, NumberInput, PasswordInput, Select, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { unwrap } from '@trellis/sdk';
import { useId, useState, type ReactNode } from 'react';
import { useApi } from '../../api/session.js';
import { describeError } from '../../ui/ErrorAlert.js';
import type { Json } from '../draft.js';
import { isEmpty, parseJsonText } from './fields.js';
import { requiredField } from './required.js';
import { ReferenceButton } from './ReferencePicker.js';
import { isTemplate, type Offer } from './references.js';

/*
 * One value of a form (an action input, a result, a schedule input): the editor that fits its type
 * (text, number, switch, select of an enum's values, JSON, a file upload), or, when it holds
 * `${{ }}`, the reference or expression itself with a button to clear it. The button beside it
 * opens the reference picker. Emptying a field gives `undefined`: the key leaves the document.
 */

/** An input as an action's manifest (or a trigger's declaration) describes it. */
export type Port = {
  name: string;
  type: string;
  help?: string | undefined;
  optional?: boolean | undefined;
  values?: readonly string[] | undefined;
  default?: unknown;
  has_secret_default?: boolean | undefined;
};

type Props = {
  port: Port;
  /** The label (the port's name unless said otherwise). */
  label?: string;
  value: Json | undefined;
  onChange: (value: Json | undefined) => void;
  offers: readonly Offer[];
  error?: string | undefined;
  readOnly: boolean;
  /** A value that cannot be a reference (a declared input's default): no picker. */
  fixedOnly?: boolean;
  /** A value of no declared type (a result): no type written under its label. */
  untyped?: boolean;
};

export const isRequired = (port: Port) => !port.optional && port.default === undefined && !port.has_secret_default;

function Description({ port }: { port: Port }) {
  return (
    <>
      <Code data-type={port.type}>{port.type}</Code>
      {port.type === 'enum' && port.values ? ` (${port.values.join(', ')})` : ''}
      {port.help ? ` ${port.help}` : ''}
      {port.default !== undefined ? ` · default ${JSON.stringify(port.default)}` : ''}
      {port.has_secret_default ? ' · has a default kept in the action' : ''}
    </>
  );
}

export function ValueField({ port, label = port.name, value, onChange, offers, error, readOnly, fixedOnly = false, untyped = false }: Props) {
  // The picker's button sits right of the input itself (label and help above, error below).
  const picker = fixedOnly ? undefined : <ReferenceButton label={label} offers={offers} onChoose={onChange} disabled={readOnly} />;
  const inputContainer = picker ? (children: ReactNode) => <Group gap={6} wrap="nowrap" align="center"><Box style={{ flex: 1, minWidth: 0 }}>{children}</Box>{picker}</Group> : undefined;
  const common: Common = { label, description: untyped ? port.help : <Description port={port} />, error, inputContainer, ...requiredField(isRequired(port)) };
  return (
    <div data-field={label}>
      {isTemplate(value) ? (
        <TextInput
          {...common} styles={MONOSPACE} readOnly={readOnly} value={value} data-reference-value
          onChange={(event) => onChange(event.currentTarget.value === '' ? undefined : event.currentTarget.value)}
          rightSection={readOnly ? null : <CloseButton aria-label={`Clear ${label}`} onClick={() => onChange(undefined)} />}
        />
      ) : <StaticEditor port={port} common={common} value={value} onChange={onChange} readOnly={readOnly} />}
    </div>
  );
}

/** Code in the input only (the label stays in the page's font). */
export const MONOSPACE = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

type Common = { label: string; description: ReactNode; error: string | undefined; inputContainer: ((children: ReactNode) => ReactNode) | undefined } & ReturnType<typeof requiredField>;

function StaticEditor({ port, common, value, onChange, readOnly }: { port: Port; common: Common; value: Json | undefined; onChange: (value: Json | undefined) => void; readOnly: boolean }) {
  const text = typeof value === 'string' ? value : '';
  const placeholder = port.default !== undefined && typeof port.default !== 'object' ? String(port.default) : undefined;
  const setText = (next: string) => onChange(next === '' ? undefined : next);
  // A static value of the wrong kind (a number in a text input, say) is shown as JSON, to be fixed.
  if (value !== undefined && !fitsEditor(port.type, value)) return <JsonEditor common={common} value={value} onChange={onChange} readOnly={readOnly} />;
  switch (port.type) {
    case 'longstring':
      return <Textarea {...common} autosize minRows={2} maxRows={8} readOnly={readOnly} value={text} placeholder={placeholder} onChange={(event) => setText(event.currentTarget.value)} />;
    case 'password':
      return <PasswordInput {...common} readOnly={readOnly} value={text} onChange={(event) => setText(event.currentTarget.value)} />;
    case 'integer':
    case 'float':
      return (
        <NumberInput
          {...common} readOnly={readOnly} allowDecimal={port.type === 'float'} placeholder={placeholder}
          value={typeof value === 'number' ? value : ''}
          onChange={(next) => { if (next === '') onChange(undefined); else if (typeof next === 'number' && Number.isFinite(next)) onChange(next); }}
        />
      );
    case 'boolean': {
      const toggle = <Switch label={common.label} description={common.description} error={common.error} mt={4} disabled={readOnly} checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} />;
      return <>{common.inputContainer ? common.inputContainer(toggle) : toggle}</>;
    }
    case 'enum':
      return <Select {...common} disabled={readOnly} data={[...(port.values ?? [])]} value={typeof value === 'string' ? value : null} clearable placeholder={placeholder} onChange={(next) => onChange(next ?? undefined)} />;
    case 'json':
      return <JsonEditor common={common} value={value} onChange={onChange} readOnly={readOnly} />;
    case 'file':
    case 'directory':
      return <FileField common={common} value={value} onChange={onChange} readOnly={readOnly} />;
    default:
      return <TextInput {...common} readOnly={readOnly} value={text} placeholder={placeholder} onChange={(event) => setText(event.currentTarget.value)} />;
  }
}

function fitsEditor(type: string, value: Json): boolean {
  switch (type) {
    case 'integer':
    case 'float':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'json':
      return true;
    case 'file':
    case 'directory':
      return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value['file'] === 'string';
    default:
      return typeof value === 'string';
  }
}

/** JSON in a text area: what does not parse stays in the box with the reason, and is not written. */
function JsonEditor({ common, value, onChange, readOnly }: { common: Common; value: Json | undefined; onChange: (value: Json | undefined) => void; readOnly: boolean }) {
  const shown = value === undefined ? '' : JSON.stringify(value, null, 2);
  const [text, setText] = useState(shown);
  const [invalid, setInvalid] = useState<string>();
  const [synced, setSynced] = useState(shown);
  // The value changed elsewhere (undo, a reference chosen): show it.
  if (shown !== synced) {
    setSynced(shown);
    setText(shown);
    setInvalid(undefined);
  }
  return (
    <Textarea
      {...common} error={invalid ?? common.error} autosize minRows={2} maxRows={10} styles={MONOSPACE} readOnly={readOnly} value={text}
      onChange={(event) => {
        const next = event.currentTarget.value;
        setText(next);
        const parsed = parseJsonText(next);
        if (!parsed.ok) { setInvalid(parsed.error); return; }
        setInvalid(undefined);
        setSynced(parsed.value === undefined ? '' : JSON.stringify(parsed.value, null, 2));
        onChange(parsed.value);
      }}
    />
  );
}

/** A file or directory input: an uploaded file's id, `{ "file": "<id>" }`; uploading gives one. */
function FileField({ common, value, onChange, readOnly }: { common: Common; value: Json | undefined; onChange: (value: Json | undefined) => void; readOnly: boolean }) {
  const client = useApi();
  const id = useId();
  const [state, setState] = useState<{ uploading?: string; failed?: string; name?: string }>({});
  const fileId = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value['file'] === 'string' ? value['file'] : undefined;
  const upload = async (file: File | null) => {
    if (!file) return;
    setState({ uploading: file.name });
    try {
      // The body is the file itself (not JSON): the SDK sends it as it is, with its type.
      const stored = await unwrap(client.POST('/studio/files', {
        params: { query: { name: file.name } },
        body: file as unknown as string,
        bodySerializer: (body: unknown) => body as BodyInit,
        headers: { 'content-type': file.type || 'application/octet-stream' },
      }));
      setState({ name: stored.name });
      onChange({ file: stored.id });
    } catch (error) {
      const { title, detail } = describeError(error);
      setState({ failed: `${title}: ${detail}` });
    }
  };
  return (
    <Input.Wrapper label={common.label} description={common.description} inputContainer={common.inputContainer} labelProps={'labelProps' in common ? common.labelProps : undefined} id={id} error={state.failed ?? common.error}>
      <Group gap="xs" mt={4} wrap="nowrap">
        <FileButton onChange={(file) => void upload(file)} disabled={readOnly}>
          {(props) => <Button {...props} id={id} aria-invalid={Boolean(state.failed ?? common.error)} size="xs" variant="light" loading={state.uploading !== undefined} disabled={readOnly}>{fileId ? 'Replace the file' : 'Upload a file'}</Button>}
        </FileButton>
        {fileId ? (
          <Group gap={4} wrap="nowrap" style={{ minWidth: 0 }}>
            <Text size="xs" truncate data-file-id={fileId}>{state.name ?? 'file'} <Code>{fileId.slice(0, 8)}</Code></Text>
            {readOnly ? null : <CloseButton size="sm" aria-label={`Remove the file of ${common.label}`} onClick={() => { setState({}); onChange(undefined); }} />}
          </Group>
        ) : <Text size="xs" c="dimmed">{isEmpty(value) ? 'No file yet' : ''}</Text>}
      </Group>
    </Input.Wrapper>
  );
}
