import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import { canonicalDocument } from './canonical.js';
import { DEFAULTS, pathText, readDocument, shapeProblems, withValueAt } from './document.js';

describe('pathText', () => {
  it.each([
    [['steps', 2, 'inputs', 'n'], 'steps[2].inputs.n'],
    [['results', 'a b'], 'results["a b"]'],
    [['steps', 0, 'id'], 'steps[0].id'],
    [[], ''],
  ] as const)('%j -> %s', (path, text) => expect(pathText(path)).toBe(text));
});

describe('canonicalDocument', () => {
  it('orders known keys as the format does, keeps the author\'s order of names, and keeps unknown keys last', () => {
    const raw = {
      zzz: 1, steps: [{ inputs: { b: 1, a: 2 }, action: 'x', id: 's' }], name: 'w', kind: 'Workflow', apiVersion: 'trellis.dev/v1',
      trigger: { inputs: [{ type: 'integer', name: 'n' }], path: 'p', type: 'http' }, results: { y: 1, x: 2 },
    };
    const canonical = canonicalDocument(raw) as { [key: string]: JsonValue };
    expect(Object.keys(canonical)).toEqual(['apiVersion', 'kind', 'name', 'trigger', 'steps', 'results', 'zzz']);
    expect(JSON.stringify(canonical['trigger'])).toBe('{"type":"http","path":"p","inputs":[{"name":"n","type":"integer"}]}');
    expect(JSON.stringify(canonical['steps'])).toBe('[{"id":"s","action":"x","inputs":{"b":1,"a":2}}]');
    expect(Object.keys(canonical['results'] as object)).toEqual(['y', 'x']);
    expect(canonicalDocument(canonical)).toEqual(canonical);
  });
});

describe('readDocument', () => {
  it('fills defaults and leaves out what is malformed', () => {
    const document = readDocument({
      name: 'w', trigger: { type: 'http', path: 'p' },
      steps: [{ id: 'a', action: 'x', foreach: [1], retry: { attempts: 2 } }, { action: 'no-id' }, 'junk', { id: 'b' }],
    });
    expect(document.trigger).toEqual({ type: 'http', path: 'p', timeoutMs: DEFAULTS.httpTimeoutMs, auth: 'required', inputs: [] });
    expect(document.steps.map((s) => [s.index, s.id, s.action])).toEqual([[0, 'a', 'x'], [3, 'b', '']]);
    expect(document.steps[0]).toMatchObject({ parallelism: DEFAULTS.parallelism, retry: { attempts: 2, backoffMs: DEFAULTS.backoffMs, maxDelayMs: DEFAULTS.maxDelayMs, on: [] } });
  });

  it('reads the ActionError codes a retry policy takes as retryable', () => {
    const document = readDocument({ name: 'w', steps: [{ id: 'a', action: 'x', retry: { attempts: 3, backoff: '2s', max_delay: '10s', on: ['rate_limited', 'http_503', 7] } }] });
    expect(document.steps[0]?.retry).toEqual({ attempts: 3, backoffMs: 2000, maxDelayMs: 10_000, on: ['rate_limited', 'http_503'] });
  });
});

describe('shapeProblems', () => {
  it('names each shape problem once with its path', () => {
    const problems = shapeProblems({
      apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'ok-name',
      trigger: { type: 'schedule', cron: 5, colour: 'red' },
      steps: [{ id: 's', action: 'a', parallelism: 0, retry: { attempts: 1, backoff: 'soon' } }],
      results: { 'bad name': 1 },
    }).map((p) => [p.code, pathText(p.path)]);
    expect(problems).toEqual([
      ['wrong_type', 'trigger.cron'], ['unknown_field', 'trigger.colour'],
      ['invalid_value', 'steps[0].parallelism'], ['bad_duration', 'steps[0].retry.backoff'],
      ['invalid_name', 'results["bad name"]'],
    ]);
  });
});

describe('withValueAt', () => {
  it('replaces one value and copies the way there', () => {
    const raw = { steps: [{ action: 'a' }, { action: 'b' }] };
    expect(withValueAt(raw, ['steps', 1, 'action'], 'b@1')).toEqual({ steps: [{ action: 'a' }, { action: 'b@1' }] });
    expect(raw.steps[1]?.action).toBe('b');
  });
});
