import { describe, expect, it } from 'vitest';
import * as ProjectValue from './project-value.js';

const held = (revision: number, deleted = false): ProjectValue.Held => ({ revision: BigInt(revision), deleted });
const change = (revision: number) => ({ revision: BigInt(revision) });

describe('ProjectValue.arrival: the highest revision wins', () => {
  it.each([
    ['a first change of a name', undefined, 1, 'apply'],
    ['a first change arriving with a high revision (earlier ones lost or late)', undefined, 7, 'apply'],
    ['a newer change of a held value', held(3), 4, 'apply'],
    ['a newer change of a name deleted before (set again)', held(3, true), 5, 'apply'],
    ['the same revision again (a redelivery)', held(3), 3, 'same'],
    ['the deletion again', held(3, true), 3, 'same'],
    ['an older change arriving late', held(3), 2, 'stale'],
    ['an older set arriving after the deletion', held(5, true), 4, 'stale'],
  ] as const)('%s', (_case, current, revision, expected) => {
    expect(ProjectValue.arrival(current, change(revision))).toBe(expected);
  });

  it('tells revisions apart beyond what a number holds exactly', () => {
    const big = 2n ** 60n;
    expect(ProjectValue.arrival({ revision: big, deleted: false }, { revision: big + 1n })).toBe('apply');
    expect(ProjectValue.arrival({ revision: big + 1n, deleted: false }, { revision: big })).toBe('stale');
  });
});
