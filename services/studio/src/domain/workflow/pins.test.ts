import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import { pinToNewest, usesOf } from './pins.js';

const doc = (): JsonValue => ({
  name: 'w',
  trigger: { type: 'action', action: 'listen', inputs: { password: '${{ secrets.LISTEN }}' } },
  steps: [
    { id: 'a', action: 'add-one', inputs: { n: '${{ vars.START }}' } },
    { id: 'b', action: 'add-one@1.0.0', inputs: { n: '${{ steps.a.n }}', note: 'x ${{ vars.NOTE }} ${{ secrets.TOKEN }}' } },
    { id: 'c', action: 'ghost', inputs: { list: ['${{ vars.DEEP }}'] } },
  ],
});

describe('pinToNewest', () => {
  it('pins ids without a version to the newest build and leaves the rest as written', () => {
    const newest: Record<string, string> = { 'add-one': '2.0.0', listen: '0.3.0' };
    const pinned = pinToNewest(doc(), (id) => newest[id]) as { trigger: { action: string }; steps: { action: string }[] };
    expect(pinned.trigger.action).toBe('listen@0.3.0');
    expect(pinned.steps.map((step) => step.action)).toEqual(['add-one@2.0.0', 'add-one@1.0.0', 'ghost']);
  });

  it('keeps key order and copies rather than changing its argument', () => {
    const original = doc();
    const pinned = pinToNewest(original, () => '9.0.0');
    expect(Object.keys(pinned as object)).toEqual(Object.keys(original as object));
    expect((original as { steps: { action: string }[] }).steps[0]?.action).toBe('add-one');
  });
});

describe('usesOf', () => {
  it('finds uploaded files given as { file: id }, however deep', () => {
    expect(usesOf({ steps: [{ inputs: { a: { file: 'f1' }, b: [{ file: 'f2' }, { file: 'f1' }], c: { file: 'x', other: 1 } } }] }).files).toEqual(['f1', 'f2']);
  });

  it('lists the pinned action versions, variables and secrets a document names, once each', () => {
    expect(usesOf(pinToNewest(doc(), () => '2.0.0'))).toEqual({
      actions: [{ id: 'listen', version: '2.0.0' }, { id: 'add-one', version: '2.0.0' }, { id: 'add-one', version: '1.0.0' }, { id: 'ghost', version: '2.0.0' }],
      variables: ['DEEP', 'NOTE', 'START'],
      secrets: ['LISTEN', 'TOKEN'],
      files: [],
    });
  });
});
