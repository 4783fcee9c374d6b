import { describe, expect, it } from 'vitest';
import type { ActionVersionRef } from '../../application/site.js';
import { labelValue, namespaceOf, objectNameOf, type VersionProfile } from './names.js';

const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;

const aProfile = (ref: Partial<ActionVersionRef> = {}, profile: Partial<VersionProfile> = {}): VersionProfile => ({
  ref: {
    projectId: '3f1c0a52-8d7e-4b8e-9a51-2f0c7d1e6b4a', actionId: 'send-email', version: '1.2.0', digest: 'a'.repeat(64), artifactObject: 'x', artifactSize: 1,
    kind: 'Processor', runtime: 'nodejs', inputs: [], outputs: [], ...ref,
  },
  image: 'registry:5000/trellis/send-email@sha256:abc', cpu: 0.1, memoryBytes: 256 * 1024 * 1024, ...profile,
});

describe('names and labels of what the kubernetes site creates', () => {
  it('names a project\'s namespace by its id, shortened with a hash when it does not fit', () => {
    expect(namespaceOf('trellis-p-', '3f1c0a52-8d7e-4b8e-9a51-2f0c7d1e6b4a')).toBe('trellis-p-3f1c0a52-8d7e-4b8e-9a51-2f0c7d1e6b4a');
    const long = namespaceOf('a-very-long-prefix-of-thirty-1-', 'Project_With.A.Very.Long.Name.That.Does.Not.Fit');
    expect(long).toMatch(DNS_LABEL);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toBe(namespaceOf('a-very-long-prefix-of-thirty-1-', 'Project_With.A.Very.Long.Name.That.Does.Not.Fit2'));
  });

  it('names a version by the action and a hash of everything that makes it another Deployment', () => {
    const name = objectNameOf(aProfile());
    expect(name).toMatch(/^send-email-[0-9a-f]{20}$/);
    expect(objectNameOf(aProfile())).toBe(name);
    for (const other of [aProfile({ version: '1.2.1' }), aProfile({ digest: 'b'.repeat(64) }), aProfile({}, { cpu: 0.5 }), aProfile({}, { memoryBytes: 1 }), aProfile({}, { image: 'other' }), aProfile({ projectId: 'p2' })]) {
      expect(objectNameOf(other)).not.toBe(name);
    }
    for (const actionId of ['9lives', 'A'.repeat(80), '---x']) {
      const odd = objectNameOf(aProfile({ actionId }));
      expect(odd).toMatch(DNS_LABEL);
      expect(odd.length).toBeLessThanOrEqual(47);
    }
  });

  it.each([
    ['1.2.0', '1.2.0'],
    ['a'.repeat(64), 'a'.repeat(63)],
    ['1.0.0+build/7', '1.0.0-build-7'],
    ['-x-', 'x'],
    ['..', ''],
  ])('makes %s the label value %s', (text, value) => {
    expect(labelValue(text)).toBe(value);
    expect(labelValue(text)).toMatch(LABEL_VALUE);
  });
});
