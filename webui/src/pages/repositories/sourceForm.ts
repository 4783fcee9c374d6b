import { TrellisApiError } from '@trellis/sdk';
import type { NewSource, ScanProblem, SourceChange, SourceDetail } from '../../api/repositories.js';

/*
 * The add and edit forms' values and the API bodies they become. The password is write-only:
 * the forms start with it empty, and an edit sends credentials only when asked to replace or
 * remove them.
 */

export type SourceValues = { name: string; url: string; branch: string; username: string; password: string };

/** What an edit does with the stored credentials. */
export type CredentialsChoice = 'keep' | 'replace' | 'remove';

export const emptySource: SourceValues = { name: '', url: '', branch: '', username: '', password: '' };

/** The form's values of a source being edited: never its password (the API does not give it). */
export const valuesOf = (source: Pick<SourceDetail, 'name' | 'url' | 'branch' | 'username'>): SourceValues => ({
  name: source.name, url: source.url, branch: source.branch ?? '', username: source.username ?? '', password: '',
});

/** The name rule the API applies, checked before asking. */
export const NAME_RULE = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])$/;

export function validateSource(values: SourceValues, credentials: CredentialsChoice = 'replace'): Partial<Record<keyof SourceValues, string>> {
  const errors: Partial<Record<keyof SourceValues, string>> = {};
  if (!NAME_RULE.test(values.name.trim())) errors.name = '2 to 63 lowercase letters, digits and inner ".", "_" or "-"';
  if (!values.url.trim()) errors.url = 'The repository\'s address (https://…, http://… or file:///…)';
  if (credentials === 'replace' && values.username.trim() && !values.password) errors.password = 'A username needs its password or token';
  return errors;
}

/** The body that adds a source: no branch when empty (the default branch), credentials only with a password. */
export function addSourceBody(values: SourceValues): NewSource {
  const branch = values.branch.trim();
  const username = values.username.trim();
  return {
    name: values.name.trim(),
    url: values.url.trim(),
    ...(branch ? { branch } : {}),
    ...(values.password ? { password: values.password, ...(username ? { username } : {}) } : {}),
  };
}

/** The body that changes a source: only what differs, and the credentials as chosen. */
export function changeSourceBody(values: SourceValues, source: Pick<SourceDetail, 'name' | 'url' | 'branch'>, credentials: CredentialsChoice): SourceChange {
  const body: SourceChange = {};
  const name = values.name.trim();
  const url = values.url.trim();
  const branch = values.branch.trim() || null;
  if (name !== source.name) body.name = name;
  if (url !== source.url) body.url = url;
  if (branch !== source.branch) body.branch = branch;
  if (credentials === 'remove') Object.assign(body, { username: null, password: null });
  if (credentials === 'replace' && values.password) {
    const username = values.username.trim();
    Object.assign(body, { password: values.password, ...(username ? { username } : {}) });
  }
  return body;
}

const FIELDS: readonly (keyof SourceValues)[] = ['name', 'url', 'branch', 'username', 'password'];

/** The API's refusal put on the form's fields it names (a taken name, a URL with credentials in it). */
export function fieldErrorsOf(error: unknown): Partial<Record<keyof SourceValues, string>> {
  if (!(error instanceof TrellisApiError)) return {};
  const errors: Partial<Record<keyof SourceValues, string>> = {};
  for (const finding of error.errors) {
    const field = FIELDS.find((name) => finding.path.split(/[./]/).includes(name));
    if (field && !errors[field]) errors[field] = finding.message;
  }
  if (error.code === 'source_name_taken' && !errors.name) errors.name = error.detail ?? 'Another source of the project has this name';
  return errors;
}

/** Where a problem is, as editors and terminals write it. */
export const problemPlace = (problem: Pick<ScanProblem, 'file' | 'line'>): string => (problem.line > 0 ? `${problem.file}:${problem.line}` : problem.file);
