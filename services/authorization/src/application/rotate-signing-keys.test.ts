import { describe, expect, it } from 'vitest';
import { makeFakes } from './fakes.js';
import { makeUseCases } from './use-cases.js';

describe('rotateSigningKeys', () => {
  it('makes a key, replaces it when old, and unpublishes the old one once its tokens have expired', async () => {
    const fakes = makeFakes();
    const { rotateSigningKeys } = makeUseCases(fakes.deps);
    const keys = () => fakes.state().signingKeys.map((k) => [k.kid, k.retiredAt === null ? 'active' : 'retired']);

    const first = await rotateSigningKeys({ traceId: 't' });
    expect(first).toEqual({ created: 'id-1', retired: [], removed: [] });
    expect(await rotateSigningKeys({ traceId: 't' })).toEqual({ created: null, retired: [], removed: [] });

    fakes.advance(7 * 86_400_000);
    expect(await rotateSigningKeys({ traceId: 't' })).toEqual({ created: 'id-2', retired: ['id-1'], removed: [] });
    expect(keys()).toEqual([['id-1', 'retired'], ['id-2', 'active']]);

    fakes.advance((900 + 300) * 1000 - 1);
    expect((await rotateSigningKeys({ traceId: 't' })).removed).toEqual([]);
    fakes.advance(1);
    expect((await rotateSigningKeys({ traceId: 't' })).removed).toEqual(['id-1']);
    expect(keys()).toEqual([['id-2', 'active']]);
    expect(fakes.state().audit.map((e) => [e.type, e.targetId])).toEqual([['signing_key_rotated', 'id-1'], ['signing_key_rotated', 'id-2'], ['signing_key_rotated', null]]);
  });
});
