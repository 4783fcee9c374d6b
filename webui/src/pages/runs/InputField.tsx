import { Input, PasswordInput, Select, Switch, Textarea, TextInput } from '@mantine/core';
import { useId } from 'react';
import type { DraftInputDeclaration } from '../../editor/draft.js';
import type { FieldValue } from './run-inputs.js';

type Props = { declaration: DraftInputDeclaration; value: FieldValue; error?: string | undefined; onChange: (value: FieldValue) => void; onBlur?: () => void };

/** One of the trigger's inputs as a field of its type, labelled by its name exactly; its help is the description. */
export function InputField({ declaration, value, error, onChange, onBlur }: Props) {
  const id = useId();
  const { name, type } = declaration;
  const required = !declaration.optional && declaration.default === undefined;
  // The label is the name alone (no asterisk: tests and people find a field by its exact name); optional ones say so.
  const description = [required ? 'Required.' : declaration.optional ? 'Optional.' : '', declaration.help ?? '', `(${type})`].filter(Boolean).join(' ');
  const common = { label: name, description, error, required, withAsterisk: false, onBlur, 'data-input': name };
  const text = typeof value === 'string' ? value : '';
  switch (type) {
    case 'boolean':
      return <Switch label={name} description={description} checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} data-input={name} />;
    case 'longstring':
      return <Textarea {...common} autosize minRows={3} value={text} onChange={(event) => onChange(event.currentTarget.value)} />;
    case 'json':
      return <Textarea {...common} autosize minRows={3} ff="monospace" value={text} onChange={(event) => onChange(event.currentTarget.value)} />;
    case 'password':
      return <PasswordInput {...common} value={text} onChange={(event) => onChange(event.currentTarget.value)} />;
    case 'integer':
    case 'float':
      return <TextInput {...common} inputMode={type === 'integer' ? 'numeric' : 'decimal'} value={text} onChange={(event) => onChange(event.currentTarget.value)} />;
    case 'enum':
      return <Select {...common} data={declaration.values ?? []} value={text || null} clearable={!required} onChange={(next) => onChange(next ?? '')} />;
    case 'file':
    case 'directory':
      return (
        <Input.Wrapper label={name} description={description} error={error} withAsterisk={false} id={id}>
          <input id={id} type="file" required={required} aria-invalid={error ? true : undefined} data-input={name} onChange={(event) => onChange(event.currentTarget.files?.[0] ?? null)} />
        </Input.Wrapper>
      );
    default:
      return <TextInput {...common} value={text} onChange={(event) => onChange(event.currentTarget.value)} />;
  }
}
