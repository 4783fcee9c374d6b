import { describe, expect, it } from 'vitest';
import { compare, pathInRepository, sortProblems, withoutDuplicates, type ActionDescription, type PackedAction } from './scan-result.js';

function action(id: string, extra: Partial<ActionDescription> = {}): ActionDescription {
  return {
    id, version: '1.0.0', kind: 'Processor', name: id, description: '', runtime: 'nodejs', handler: 'handler.js', categories: [],
    inputs: [], outputs: [], resources: {}, format: 'trellis', manifest: 'trellis.yaml', ...extra,
  };
}
const packed = (id: string, sha256: string, folder = id): PackedAction => ({ folder, action: action(id), sha256, size: 10, object: `o/${sha256}` });

describe('comparing a scan with the previous one', () => {
  it('finds everything new on the first scan', () => {
    expect(compare(undefined, [packed('a', '1')]).actions.map((a) => a.change)).toEqual(['new']);
  });

  it('marks each action new, changed or unchanged by content, and names the removed ones', () => {
    const previous = [
      { id: 'same', version: '1.0.0', folder: 'same', sha256: 's' },
      { id: 'edited', version: '1.0.0', folder: 'edited', sha256: 'e1' },
      { id: 'gone', version: '2.0.0', folder: 'old/gone', sha256: 'g' },
    ];
    const { actions, removed } = compare(previous, [packed('same', 's'), packed('edited', 'e2'), packed('fresh', 'f')]);
    expect(actions.map((a) => [a.action.id, a.change])).toEqual([['same', 'unchanged'], ['edited', 'changed'], ['fresh', 'new']]);
    expect(removed).toEqual([{ id: 'gone', version: '2.0.0', folder: 'old/gone' }]);
  });

  it('follows an action by id when its folder moves', () => {
    const { actions } = compare([{ id: 'a', version: '1.0.0', folder: 'old', sha256: 's' }], [packed('a', 's', 'new-place')]);
    expect(actions[0]?.change).toBe('unchanged');
  });
});

describe('duplicate action ids', () => {
  it('keeps the first folder in path order and reports the others at their manifest', () => {
    const { actions, problems } = withoutDuplicates([
      { folder: 'b/copy', action: action('echo', { manifest: 'ryax_metadata.yaml' }) },
      { folder: 'a', action: action('echo') },
      { folder: 'c', action: action('other') },
    ]);
    expect(actions.map((a) => a.folder)).toEqual(['a', 'c']);
    expect(problems).toEqual([expect.objectContaining({ folder: 'b/copy', file: 'b/copy/ryax_metadata.yaml', line: 1, code: 'duplicate_action_id' })]);
    expect(problems[0]?.message).toMatch(/already used by the action in "a"/);
  });
});

describe('paths and order', () => {
  it('joins a folder and a file, the root having no folder', () => {
    expect(pathInRepository('', 'trellis.yaml')).toBe('trellis.yaml');
    expect(pathInRepository('actions/echo', 'handler.js')).toBe('actions/echo/handler.js');
  });
  it('sorts problems by folder, file, line and column', () => {
    const p = (folder: string, line: number, column = 1) => ({ folder, file: `${folder}/trellis.yaml`, line, column, code: 'x', message: 'y' });
    expect(sortProblems([p('b', 1), p('a', 3, 2), p('a', 3, 1), p('a', 1)]).map((x) => `${x.folder}:${x.line}:${x.column}`)).toEqual(['a:1:1', 'a:3:1', 'a:3:2', 'b:1:1']);
  });
});
