import { describe, expect, it } from 'vitest';
import * as File from './file.js';

describe('file names', () => {
  it.each([
    ['photo.png', true], ['a', true], ['x'.repeat(255), true], ['é'.repeat(255), true], ['🙂'.repeat(255), true],
    ['with spaces and (parens).tar.gz', true], ['.hidden', true], ['...', true], ['日本語.txt', true],
    ['', false], ['x'.repeat(256), false], ['🙂'.repeat(256), false], ['a/b', false], ['/etc/passwd', false], ['a\\b', false],
    ['nul\u0000', false], ['line\nbreak', false], ['tab\tname', false], ['del\u007f', false], ['c1\u0085', false], ['.', false], ['..', false],
  ] as const)('%j -> %s', (name, valid) => {
    expect(File.checkFileName(name) === undefined).toBe(valid);
  });

  it('says why a name is refused', () => {
    expect(File.checkFileName('a/b')).toEqual({ type: 'InvalidFileName', reason: 'holds a "/" or "\\" (it is one file name, not a path)' });
    expect(File.checkFileName('')).toEqual({ type: 'InvalidFileName', reason: 'is empty' });
  });
});

describe('content types', () => {
  it.each([
    ['image/png', 'image/png'],
    ['IMAGE/PNG', 'image/png'],
    ['text/plain; charset=utf-8', 'text/plain'],
    ['application/vnd.api+json', 'application/vnd.api+json'],
    ['  text/csv  ', 'text/csv'],
    ['', 'application/octet-stream'],
    ['image', 'application/octet-stream'],
    ['image/', 'application/octet-stream'],
    ['*/*', 'application/octet-stream'],
    ['text/html\r\nset-cookie: x=1', 'application/octet-stream'],
    ['image/png extra', 'application/octet-stream'],
    ['a/b/c', 'application/octet-stream'],
    ['ímage/png', 'application/octet-stream'],
    [`application/${'x'.repeat(200)}`, 'application/octet-stream'],
  ] as const)('%j -> %s', (declared, kept) => {
    expect(File.contentTypeOf(declared)).toBe(kept);
  });
});

describe('an upload', () => {
  it('is refused by its name before its content is read, and becomes the file once stored', () => {
    expect(File.announce({ name: '../x', declaredType: 'image/png' })).toMatchObject({ ok: false, error: { type: 'InvalidFileName' } });
    const announced = File.announce({ name: 'photo.png', declaredType: 'image/PNG; q=1' });
    expect(announced).toEqual({ ok: true, value: { name: 'photo.png', contentType: 'image/png' } });
    if (!announced.ok) return;
    const now = new Date('2026-12-01T10:00:00Z');
    expect(File.stored(announced.value, { id: 'f1', projectId: 'p1', size: 3, sha256: 'a'.repeat(64), object: 'studio/projects/p1/files/f1', by: 'u1', now })).toEqual({
      id: 'f1', projectId: 'p1', name: 'photo.png', contentType: 'image/png', size: 3, sha256: 'a'.repeat(64), object: 'studio/projects/p1/files/f1', createdAt: now, createdBy: 'u1',
    });
  });
});
