import { describe, expect, it } from 'vitest';
import { busyKeyOf, othersBusyUntil, staleMarks } from './busy-marks.js';

const now = Date.parse('2026-12-03T12:00:00Z');
const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();

describe('busy marks of several runners on one Deployment', () => {
  it('names a runner\'s mark by its id, sanitised to an annotation name', () => {
    expect(busyKeyOf('runner-7f3a')).toBe('busy.dev.trellis/runner-7f3a');
    expect(busyKeyOf('pod/runner 1')).toBe('busy.dev.trellis/pod-runner-1');
    expect(busyKeyOf('***')).toBe('busy.dev.trellis/runner');
  });

  it.each([
    ['no marks', {}, undefined],
    ['only its own', { 'busy.dev.trellis/me': at(60_000) }, undefined],
    ['another busy later', { 'busy.dev.trellis/me': at(60_000), 'busy.dev.trellis/other': at(30_000) }, now + 30_000],
    ['the latest of others', { 'busy.dev.trellis/a': at(10_000), 'busy.dev.trellis/b': at(20_000) }, now + 20_000],
    ['another\'s mark in the past', { 'busy.dev.trellis/other': at(-1) }, undefined],
    ['not a mark', { 'dev.trellis/image': at(60_000), 'busy.dev.trellis/x': 'garbage' }, undefined],
  ])('%s', (_, annotations, until) => {
    expect(othersBusyUntil(annotations, 'me', now)).toBe(until);
  });

  it('lists others\' marks older than the stale time, never its own', () => {
    const annotations = { 'busy.dev.trellis/me': at(-1e9), 'busy.dev.trellis/old': at(-600_000), 'busy.dev.trellis/recent': at(-1000), 'busy.dev.trellis/bad': 'x' };
    expect(staleMarks(annotations, 'me', now, 300_000)).toEqual(['busy.dev.trellis/old', 'busy.dev.trellis/bad']);
  });
});
