import { describe, expect, it } from 'vitest';
import { bucketOf, defaultInstanceName, markText, nameProblem, parseMark, secretKeyCheck, secretKeyProblem } from './instance.js';

describe('instance names', () => {
  it('derives a different name for each state directory, the same again for the same one', () => {
    const main = defaultInstanceName('/work/main', '/work/main/.trellis');
    expect(main).toMatch(/^trellis_main_[0-9a-f]{6}$/);
    expect(defaultInstanceName('/work/main', '/work/main/.trellis')).toBe(main);
    expect(defaultInstanceName('/tmp/main', '/tmp/main/.trellis')).not.toBe(main);
    expect(defaultInstanceName('/work/main', '/srv/other-state')).not.toBe(main);
  });

  it('keeps only letters, digits and "_" of the checkout name, and stays short', () => {
    expect(defaultInstanceName('/home/me/My Trellis.Fork', '/x')).toMatch(/^trellis_my_trellis_f_[0-9a-f]{6}$/);
    expect(defaultInstanceName('/', '/.trellis')).toMatch(/^trellis_[0-9a-f]{6}$/);
    expect(defaultInstanceName('/home/me/---', '/x')).toMatch(/^trellis_[0-9a-f]{6}$/);
    expect(defaultInstanceName('/tmp/trellis-clone', '/x')).toMatch(/^trellis_clone_[0-9a-f]{6}$/);
    expect(defaultInstanceName('/src/trellis', '/x')).toMatch(/^trellis_[0-9a-f]{6}$/);
    expect(defaultInstanceName('/src/trellisx', '/x')).toMatch(/^trellis_trellisx_[0-9a-f]{6}$/);
    for (const name of [defaultInstanceName('/a/bbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '/x'), defaultInstanceName('/w/x_y-z', '/x')]) {
      expect(nameProblem(name)).toBeUndefined();
      // The longest database name (<name>_action_builder) must fit PostgreSQL's 63 bytes.
      expect(`${name}_action_builder`.length).toBeLessThanOrEqual(63);
    }
  });

  it('accepts a chosen name only when every resource can carry it', () => {
    expect(nameProblem('trellis')).toBeUndefined();
    expect(nameProblem('demo_2')).toBeUndefined();
    for (const bad of ['', 'Demo', '2demo', 'de-mo', 'de mo', 'a'.repeat(41)]) expect(nameProblem(bad), bad).toMatch(/not an instance name/);
    expect(bucketOf('trellis_main_abc123')).toBe('trellis-main-abc123');
  });
});

describe('marks', () => {
  it('read back what they say, and nothing else', () => {
    const mark = { name: 'trellis_main_abc123', id: '0123abcd', stateDir: '/home/me/my checkout/.trellis' };
    expect(markText(mark)).toBe('Trellis instance trellis_main_abc123 (id 0123abcd) of /home/me/my checkout/.trellis');
    expect(parseMark(markText(mark))).toEqual(mark);
    for (const other of [null, undefined, '', 'Trellis', 'Default virtual host']) expect(parseMark(other)).toBeUndefined();
  });
});

describe('the secret key check', () => {
  it('tells keys apart without showing them', () => {
    const key = 'c2VjcmV0LWtleS1vZi0zMi1ieXRlcy0tLS0tLS0tLS0=';
    expect(secretKeyCheck(key)).toBe(secretKeyCheck(`${key}\n`));
    expect(secretKeyCheck(key)).not.toBe(secretKeyCheck('b3RoZXIta2V5LW9mLTMyLWJ5dGVzLS0tLS0tLS0tLS0='));
    expect(secretKeyCheck(key)).not.toContain(key.slice(0, 8));
    expect(secretKeyCheck(key)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('the secret key an instance was started with', () => {
  const key = 'c2VjcmV0LWtleS1vZi0zMi1ieXRlcy0tLS0tLS0tLS0=';
  const other = 'b3RoZXIta2V5LW9mLTMyLWJ5dGVzLS0tLS0tLS0tLS0=';
  const instance = {
    version: 1 as const, name: 'trellis_main_abc123', id: 'aaaa', stateDir: '/work/main/.trellis', createdAt: '', provisionedAt: '', adopted: false, secretKeyCheck: secretKeyCheck(key),
  };

  it('must stay the same: another one is refused before anything starts, with what to do', () => {
    expect(secretKeyProblem(instance, key, false)).toBeUndefined();
    expect(secretKeyProblem(instance, other, false)).toMatch(/TRELLIS_SECRET_KEY in \/work\/main\/\.trellis\/secrets\.env is not the key instance trellis_main_abc123 was started with[\s\S]*make reset/);
    expect(secretKeyProblem(instance, other, true)).toMatch(/set in your environment[\s\S]*Unset TRELLIS_SECRET_KEY/);
    expect(secretKeyProblem(instance, other, false)).not.toContain(other);
  });

  it('is not known before the first start', () => {
    expect(secretKeyProblem({ ...instance, secretKeyCheck: null }, other, false)).toBeUndefined();
  });
});
