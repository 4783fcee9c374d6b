import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, record, redo, replacePresent, startHistory, undo } from './history.js';

describe('undo and redo', () => {
  it('takes back every change and brings it again; a new change forgets what was undone', () => {
    let history = startHistory('a');
    history = record(history, 'b', undefined, 0);
    history = record(history, 'c', undefined, 10);
    history = undo(history);
    expect(history.present).toBe('b');
    history = undo(history);
    expect([history.present, canUndo(history), canRedo(history)]).toEqual(['a', false, true]);
    history = redo(history);
    expect(history.present).toBe('b');
    history = record(history, 'x', undefined, 20);
    expect([history.present, canRedo(history)]).toEqual(['x', false]);
    expect(undo(history).present).toBe('b');
  });

  it('merges a quick series from the same place (typing in a field) into one entry', () => {
    let history = startHistory('');
    history = record(history, 'h', 'field', 0);
    history = record(history, 'he', 'field', 200);
    history = record(history, 'hey', 'field', 400);
    history = record(history, 'hey!', 'other', 500);
    expect(undo(history).present).toBe('hey');
    expect(undo(undo(history)).present).toBe('');
    // A pause of more than a second starts a new entry.
    const later = record(record(startHistory(''), 'a', 'field', 0), 'ab', 'field', 5000);
    expect(undo(later).present).toBe('a');
  });

  it('replaces the present without an entry (the draft as saved)', () => {
    const history = replacePresent(record(startHistory('a'), 'b'), 'B');
    expect(history.present).toBe('B');
    expect(undo(history).present).toBe('a');
  });
});
