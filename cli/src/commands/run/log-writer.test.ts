import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeLogWriter } from './log-writer.js';
import { dagOrder } from './tree.js';

const captured = () => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout.push(String(chunk)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { stderr.push(String(chunk)); return true; });
  return { stdout, stderr };
};

afterEach(() => { vi.restoreAllMocks(); });

describe('the log writer', () => {
  it('with several steps, prefixes whole lines only: pieces wait for their line end, the rest is flushed', () => {
    const out = captured();
    const writer = makeLogWriter(true);
    writer.write('a', 'stdout', 'hel');
    writer.write('b', 'stdout', 'other\n');
    writer.write('a', 'stdout', 'lo\nwor');
    writer.write('a', 'stderr', 'oops\n');
    writer.flush('a');
    expect(out.stdout).toEqual(['[b] other\n', '[a] hello\n', '[a] wor\n']);
    expect(out.stderr).toEqual(['[a] oops\n']);
  });

  it('with one step, writes what comes as it comes', () => {
    const out = captured();
    const writer = makeLogWriter(false);
    writer.write('a', 'stdout', 'hel');
    writer.write('a', 'stdout', 'lo');
    writer.flush('a');
    expect(out.stdout).toEqual(['hel', 'lo']);
  });
});

describe('the DAG order of a run\'s steps', () => {
  it('is the order they started; those not reached keep the document\'s order, after', () => {
    const steps = [
      { id: 'c', started_at: null }, { id: 'b', started_at: '2026-01-01T00:00:02Z' }, { id: 'a', started_at: '2026-01-01T00:00:01Z' }, { id: 'd', started_at: null },
    ];
    expect(dagOrder(steps).map((step) => step.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
