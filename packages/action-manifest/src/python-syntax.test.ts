import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePythonCompiler } from './python-syntax.js';

// Runs the real python3, as validate does (the action runtime needs it for Python handlers anyway).
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'trellis-python-syntax-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function compile(source: string | Buffer): Promise<unknown> {
  const file = path.join(folder, `handler-${Math.random().toString(36).slice(2)}.py`);
  await writeFile(file, source);
  return makePythonCompiler()(file);
}

describe('makePythonCompiler', () => {
  it.each([
    ['a handler', 'def handle(mod_in):\n    return {}\n'],
    ['a handler after a UTF-8 byte order mark', '\uFEFFdef handle(mod_in):\n    return {}\n'],
    ['a file in its declared encoding', Buffer.from('# -*- coding: latin-1 -*-\nname = "\xe9"\n', 'latin1')],
  ])('says %s compiles', async (_title, source) => {
    expect(await compile(source)).toEqual({ kind: 'compiles' });
  });

  it.each([
    ['invalid syntax', 'x = 1\ny = = 2\n', 2, 5, "SyntaxError: invalid syntax"],
    ['a bracket never closed', 'def handle(a):\n    return {\n', 2, 12, "SyntaxError: '{' was never closed"],
    ['return outside a function (only compile() sees it)', 'return 1\n', 1, 1, "SyntaxError: 'return' outside function"],
    ['an error after wide characters (UTF-16 columns)', 'x = "é€😀"; y = = 2\n', 1, 17, 'SyntaxError: invalid syntax'],
    ['an error in a latin-1 file', Buffer.from('# -*- coding: latin-1 -*-\nx = "\xe9"; y = = 2\n', 'latin1'), 2, 14, 'SyntaxError: invalid syntax'],
    ['CRLF line ends', 'x = 1\r\ny = = 2\r\n', 2, 5, 'SyntaxError: invalid syntax'],
    ['mixed tabs and spaces', 'def f():\n  x = 1\n\ty = 2\n', 3, 1, 'TabError: inconsistent use of tabs and spaces in indentation'],
    ['a bad unindent', 'def f():\n    pass\n  x = 1\n', 3, 8, 'IndentationError: unindent does not match any outer indentation level'],
    ['a null byte', 'x = 1\ny = 2\0\n', 2, 6, 'SyntaxError: source code string cannot contain null bytes'],
    ['bytes that are not UTF-8', Buffer.from('a = 1\nb = "\xc3"\n', 'latin1'), 2, 6, 'SyntaxError: the file is not valid utf-8 (invalid continuation byte)'],
  ])('reports %s at its line and column', async (_title, source, line, column, message) => {
    expect(await compile(source)).toEqual({ kind: 'syntax_error', line, column, message });
  });

  it('says when there is no Python to run', async () => {
    const file = path.join(folder, 'any.py');
    await writeFile(file, 'x = 1\n');
    expect(await makePythonCompiler('/nonexistent/python3')(file)).toEqual({ kind: 'no_python', python: '/nonexistent/python3' });
  });
});
