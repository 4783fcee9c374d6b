import { TrellisApiError } from '@trellis/sdk';
import { describe, expect, it } from 'vitest';
import { addSourceBody, changeSourceBody, emptySource, fieldErrorsOf, problemPlace, validateSource, valuesOf } from './sourceForm.js';

const source = { name: 'actions', url: 'https://git.example.com/a.git', branch: null, username: 'robot' };

describe('the source forms', () => {
  it('adds without a branch when it is empty, and with credentials only when a password is given', () => {
    expect(addSourceBody({ ...emptySource, name: ' actions ', url: 'file:///repo ', branch: ' ' })).toEqual({ name: 'actions', url: 'file:///repo' });
    expect(addSourceBody({ ...emptySource, name: 'a1', url: 'u', branch: 'dev', username: 'robot', password: 's3cret' })).toEqual({ name: 'a1', url: 'u', branch: 'dev', username: 'robot', password: 's3cret' });
    expect(addSourceBody({ ...emptySource, name: 'a1', url: 'u', password: 'token' })).toEqual({ name: 'a1', url: 'u', password: 'token' });
    expect(addSourceBody({ ...emptySource, name: 'a1', url: 'u', username: 'robot' })).toEqual({ name: 'a1', url: 'u' });
  });

  it('checks the name rule, the URL and a username without its password', () => {
    expect(validateSource({ ...emptySource, name: 'Actions', url: '' })).toEqual({ name: expect.any(String), url: expect.any(String) });
    expect(validateSource({ ...emptySource, name: 'ok-name', url: 'u', username: 'robot' })).toEqual({ password: expect.any(String) });
    expect(validateSource({ ...emptySource, name: 'ok-name', url: 'u', username: 'robot' }, 'keep')).toEqual({});
  });

  it('never prefills the password of a source being edited', () => {
    expect(valuesOf(source)).toEqual({ name: 'actions', url: 'https://git.example.com/a.git', branch: '', username: 'robot', password: '' });
  });

  it('changes only what differs; credentials kept, replaced or removed as chosen', () => {
    const values = valuesOf(source);
    expect(changeSourceBody(values, source, 'keep')).toEqual({});
    expect(changeSourceBody({ ...values, name: 'renamed', branch: 'dev' }, source, 'keep')).toEqual({ name: 'renamed', branch: 'dev' });
    expect(changeSourceBody(values, { ...source, branch: 'dev' }, 'keep')).toEqual({ branch: null });
    expect(changeSourceBody({ ...values, password: 'new' }, source, 'replace')).toEqual({ username: 'robot', password: 'new' });
    expect(changeSourceBody({ ...values, password: 'typed' }, source, 'keep')).toEqual({});
    expect(changeSourceBody(values, source, 'remove')).toEqual({ username: null, password: null });
  });

  it('puts the API\'s refusal on the fields it names', () => {
    const taken = new TrellisApiError({ status: 409, code: 'source_name_taken', detail: 'a source named actions exists' });
    expect(fieldErrorsOf(taken)).toEqual({ name: 'a source named actions exists' });
    const invalid = new TrellisApiError({ status: 400, code: 'validation_failed', errors: [{ path: 'body.url', message: 'no credentials in the URL' }] });
    expect(fieldErrorsOf(invalid)).toEqual({ url: 'no credentials in the URL' });
    expect(fieldErrorsOf(new Error('x'))).toEqual({});
  });

  it('writes a problem\'s place as file:line', () => {
    expect(problemPlace({ file: 'broken/trellis.yaml', line: 5 })).toBe('broken/trellis.yaml:5');
    expect(problemPlace({ file: 'broken/trellis.yaml', line: 0 })).toBe('broken/trellis.yaml');
  });
});
