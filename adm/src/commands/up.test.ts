import { describe, expect, it } from 'vitest';
import { summarize } from './up.js';

describe('the provisioning summary of up', () => {
  it('says nothing changed, lists a few changes, and counts many', () => {
    expect(summarize([])).toEqual(['already in place']);
    expect(summarize(['set password of role trellis_studio'])).toEqual(['set password of role trellis_studio']);
    const first = ['authorization', 'studio', 'repository', 'action_builder', 'runner'].flatMap((s) => [
      `created role trellis_${s}`,
      `created database trellis_${s}`,
      `created broker user trellis_${s}`,
      `declared exchange trellis.${s}`,
    ]);
    expect(summarize([...first, 'created vhost trellis'])).toEqual([
      'created 5 roles, 5 databases (only their role may connect), 1 vhost, 5 broker users, 5 exchanges',
    ]);
    const resets = ['a', 'b', 'c', 'd'].flatMap((s) => [`set password of role trellis_${s}`, `updated broker user trellis_${s}`]);
    expect(summarize([...resets, 'revoked PUBLIC access to database trellis_a'])).toEqual(['reset 8 passwords; 1 access rules']);
    const claimed = ['a', 'b', 'c', 'd'].flatMap((s) => [`marked database trellis_${s}`, `marked role trellis_${s}`]);
    expect(summarize([...claimed, 'marked vhost trellis'])).toEqual(["marked 9 existing databases, roles or vhosts as this instance's"]);
  });
});
