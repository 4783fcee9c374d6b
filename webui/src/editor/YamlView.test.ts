import { describe, expect, it } from 'vitest';
import { draftYaml, readYaml } from './YamlView.js';
import { aDraft } from './model/fixtures.js';

describe('the YAML view', () => {
  it('writes a draft and reads it back the same', () => {
    const draft = aDraft([{ id: 'a', action: 'add-one', inputs: { n: '${{ trigger.count }}' } }], { results: { n: '${{ steps.a.n }}' } });
    const text = draftYaml(draft);
    expect(text).toContain('  - id: a\n    action: add-one\n    inputs:\n      n: ${{ trigger.count }}\n');
    expect(readYaml(text)).toEqual({ ok: true, draft });
  });

  it('keeps the site and a step\'s resources', () => {
    const draft = { ...aDraft([{ id: 'a', action: 'add-one', resources: { cpu: '500m', memory: '1Gi' } }]), site: 'docker' as const };
    const text = draftYaml(draft);
    expect(text).toContain('site: docker\n');
    expect(text).toContain('    resources:\n      cpu: 500m\n      memory: 1Gi\n');
    expect(readYaml(text)).toEqual({ ok: true, draft });
  });

  it.each([
    ['name: x\nsteps: [\n', /Flow sequence|end|\]/i],
    ['- a\n- b\n', /must be a mapping/],
    ['name: x\ntrigger: { type: manual }\nsteps: 3\n', /steps must be a list/],
    ['name: x\ntrigger: { type: manual }\nsteps: [ { action: add-one } ]\n', /steps\[0\] must be a mapping with an id/],
    ['name: x\ntrigger: manual\nsteps: []\n', /trigger must be a mapping/],
    ['name: x\nname: y\ntrigger: { type: manual }\nsteps: []\n', /unique|duplicate/i],
  ])('does not apply %j, and says why', (text, reason) => {
    const read = readYaml(text);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatch(reason);
  });
});
