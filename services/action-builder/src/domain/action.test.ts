import { describe, expect, it } from 'vitest';
import * as Action from './action.js';

const io = (overrides: Partial<Action.IoDefinition>): Action.IoDefinition => ({ name: 'x', type: 'string', help: '', optional: false, values: [], ...overrides });

describe('publicDescription', () => {
  it.each([
    ['no default', io({}), '', false],
    ['a string default as JSON', io({ default: 'hi' }), '"hi"', false],
    ['an integer default as JSON', io({ type: 'integer', default: 800 }), '800', false],
    ['a password default only as a flag', io({ type: 'password', default: 's3cret' }), '', true],
  ])('carries %s', (_case, input, defaultJson, hasSecretDefault) => {
    const action: Action.ActionDescription = {
      kind: 'Processor', id: 'a', version: '1.0.0', name: 'A', description: '', runtime: 'python', handler: 'handler.py', categories: [],
      inputs: [input], outputs: [input], resources: {}, format: 'trellis',
    };
    const described = Action.publicDescription(action);
    for (const item of [...described.inputs, ...described.outputs]) {
      expect(item).toMatchObject({ defaultJson, hasSecretDefault });
      expect(item).not.toHaveProperty('default');
    }
    expect(JSON.stringify(described)).not.toContain('s3cret');
  });
});

describe('checkMatches', () => {
  it.each([
    ['the same id and version', { id: 'a', version: '1.0.0' }, undefined],
    ['another version', { id: 'a', version: '1.1.0' }, 'the folder holds action a version 1.1.0, but the build asked for a version 1.0.0; scan the source again'],
    ['another id', { id: 'b', version: '1.0.0' }, 'the folder holds action b version 1.0.0, but the build asked for a version 1.0.0; scan the source again'],
  ])('%s', (_case, found, reason) => {
    expect(Action.checkMatches(found, { actionId: 'a', version: '1.0.0' })?.reason).toBe(reason);
  });
});
