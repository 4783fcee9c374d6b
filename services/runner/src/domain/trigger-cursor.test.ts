import { describe, expect, it } from 'vitest';
import type { IoSpec } from '@trellis/kernel/io';
import type { PinnedAction } from './deployment.js';
import { triggerActionOf } from './trigger-action.js';
import { sameCursorScope, sameJson, type TriggerCursorScope } from './trigger-cursor.js';

const spec = (name: string, type: string): IoSpec => ({ name, type, help: '', optional: false });
const pollHttp = (version: string): PinnedAction => ({
  actionId: 'poll-http', version, digest: 'd', artifactObject: 'o', artifactSize: 1, kind: 'Trigger', runtime: 'nodejs', format: 'trellis',
  inputs: [spec('url', 'string'), spec('interval_seconds', 'integer')], outputs: [spec('hash', 'string')], resources: {},
});
const actions = [pollHttp('1.0.0'), pollHttp('1.1.0'), { ...pollHttp('1.0.0'), actionId: 'poll-http-copy' }];

/** The cursor scope of a workflow version whose trigger is `action` with `inputs`. */
function scopeOf(action: string, inputs: Record<string, unknown>): TriggerCursorScope {
  const document = JSON.stringify({ apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'w', trigger: { type: 'action', action, inputs }, steps: [] });
  const trigger = triggerActionOf(document, actions);
  if (!trigger?.ok) throw new Error(`the trigger ${action} should read`);
  return trigger.value.cursor;
}

const watched = { url: 'https://example.com/status', interval_seconds: 60 };

describe('the cursor a redeployed trigger resumes from', () => {
  it('is the earlier version\'s for the same action and inputs, whatever else the workflow changed', () => {
    expect(scopeOf('poll-http@1.0.0', watched)).toEqual({ actionId: 'poll-http', inputs: watched });
    expect(sameCursorScope(scopeOf('poll-http@1.0.0', watched), scopeOf('poll-http@1.0.0', { ...watched }))).toBe(true);
  });

  it('is kept across a new version of the action (a library update must not fire again for what was seen)', () => {
    expect(sameCursorScope(scopeOf('poll-http@1.1.0', watched), scopeOf('poll-http@1.0.0', watched))).toBe(true);
  });

  it('does not depend on the order the inputs are written in', () => {
    expect(sameCursorScope(scopeOf('poll-http@1.0.0', { interval_seconds: 60, url: watched.url }), scopeOf('poll-http@1.0.0', watched))).toBe(true);
  });

  it.each([
    ['another action', 'poll-http-copy@1.0.0', watched],
    ['another input value', 'poll-http@1.0.0', { ...watched, url: 'https://example.com/other' }],
    ['an input added', 'poll-http@1.0.0', { ...watched, method: 'HEAD' }],
    ['an input removed', 'poll-http@1.0.0', { url: watched.url }],
    ['another template (the same variable\'s value aside)', 'poll-http@1.0.0', { ...watched, url: '${{ vars.STATUS_URL }}' }],
  ])('starts from nothing after %s', (_change, action, inputs) => {
    expect(sameCursorScope(scopeOf(action, inputs), scopeOf('poll-http@1.0.0', watched))).toBe(false);
  });
});

describe('sameJson', () => {
  it.each([
    [{ a: [1, { b: null }] }, { a: [1, { b: null }] }, true],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [[1, 2], [2, 1], false],
    [{ a: null }, {}, false],
    [1, '1', false],
    [[], {}, false],
  ])('%j and %j: %s', (a, b, same) => {
    expect(sameJson(a, b)).toBe(same);
  });
});
