import { PasswordInput, TextInput } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import type { SourceValues } from './sourceForm.js';

/** The fields of a source, shared by the add and the edit forms; credentials only when asked. */
export function SourceFields({ form, withCredentials }: { form: UseFormReturnType<SourceValues>; withCredentials: boolean }) {
  return (
    <>
      <TextInput label="Name" description="Required: lowercase letters, digits, '.', '_' or '-'; unique in the project" data-autofocus {...form.getInputProps('name')} key={form.key('name')} />
      <TextInput label="Git URL" placeholder="https://git.example.com/team/actions.git" description="Required: https://, http:// or file:///; never with credentials in it" {...form.getInputProps('url')} key={form.key('url')} />
      <TextInput label="Branch" placeholder="The default branch" description="Optional: empty means the repository's default branch" {...form.getInputProps('branch')} key={form.key('branch')} />
      {withCredentials && (
        <>
          <TextInput label="Username" autoComplete="off" description="Optional (git when only a token is given)" {...form.getInputProps('username')} key={form.key('username')} />
          <PasswordInput label="Password or token" autoComplete="new-password" description="Stored sealed, never shown again" {...form.getInputProps('password')} key={form.key('password')} />
        </>
      )}
    </>
  );
}
