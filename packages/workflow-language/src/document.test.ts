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

describe('wait steps and the run timeout', () => {
  const base = { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'ok-name', trigger: { type: 'manual' } };

  it('reads a wait step (no action) and the workflow\'s timeout', () => {
    const document = readDocument({ ...base, timeout: '2h', steps: [{ id: 'ok', wait: { signal: 'approved', timeout: '1d', on_timeout: 'skip' } }, { id: 'w', wait: { signal: 's' } }] });
    expect(document.timeoutMs).toBe(7_200_000);
    expect(document.steps.map((step) => [step.action, step.wait])).toEqual([
      ['', { signal: 'approved', timeoutMs: 86_400_000, onTimeout: 'skip' }], ['', { signal: 's', onTimeout: 'fail' }],
    ]);
  });

  it('reads a delay: a wait for a time, without a signal, that succeeds once its time has passed', () => {
    const document = readDocument({ ...base, steps: [{ id: 'pause', wait: { for: '10m' } }] });
    expect(document.steps[0]?.wait).toEqual({ timeoutMs: 600_000, onTimeout: 'succeed' });
  });

  it('wants a signal or a for in a wait, not both, and no timeout of a delay', () => {
    const problems = shapeProblems({
      ...base,
      steps: [
        { id: 'nothing', wait: {} },
        { id: 'both', wait: { signal: 's', for: '1m' } },
        { id: 'delay', wait: { for: '1m', timeout: '2m', on_timeout: 'skip' } },
        { id: 'wrong', wait: { for: 'soon' } },
        { id: 'fine', wait: { for: '1h30m' } },
      ],
    }).map((p) => [p.code, pathText(p.path)]);
    expect(problems).toEqual([
      ['bad_duration', 'steps[3].wait.for'],
      ['missing_field', 'steps[0].wait.signal'], ['signal_and_delay', 'steps[1].wait.for'],
      ['not_for_delay', 'steps[2].wait.timeout'], ['not_for_delay', 'steps[2].wait.on_timeout'],
    ]);
  });

  it('wants an action or a wait, not both, and no field of a call on a wait step', () => {
    const problems = shapeProblems({
      ...base,
      steps: [
        { id: 'neither' },
        { id: 'both', action: 'a', wait: { signal: 's' } },
        { id: 'calls', wait: { signal: 's2', on_timeout: 'retry' }, inputs: { n: 1 }, retry: { attempts: 2 }, timeout: '1s' },
        { id: 'fine', wait: { signal: 's3' }, when: true, needs: ['neither'] },
      ],
    }).map((p) => [p.code, pathText(p.path)]);
    expect(problems).toEqual([
      ['invalid_value', 'steps[2].wait.on_timeout'],
      ['missing_field', 'steps[0].action'], ['action_and_wait', 'steps[1].wait'],
      ['not_for_wait', 'steps[2].inputs'], ['not_for_wait', 'steps[2].retry'], ['not_for_wait', 'steps[2].timeout'],
    ]);
  });
});

describe('the site and a step\'s resources', () => {
  const base = { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'ok-name', trigger: { type: 'manual' } };
  const withResources = (resources: JsonValue): JsonValue => ({ ...base, steps: [{ id: 'a', action: 'x', resources }] });

  it('reads the site, and none when the document has none (the instance\'s default applies)', () => {
    expect(readDocument({ ...base, site: 'docker', steps: [] }).site).toBe('docker');
    expect(readDocument({ ...base, steps: [] }).site).toBeUndefined();
    expect(shapeProblems({ ...base, site: 'kubernetes', steps: [] })).toEqual([]);
    expect(shapeProblems({ ...base, site: 'cloud', steps: [] }).map((p) => [p.code, pathText(p.path)])).toEqual([['invalid_value', 'site']]);
  });

  it.each([
    [{ cpu: 0.5, memory: '512Mi' }, { cpu: 0.5, memoryBytes: 512 * 1024 ** 2 }],
    [{ cpu: '500m' }, { cpu: 0.5 }],
    [{ cpu: '2', memory: '1Gi' }, { cpu: 2, memoryBytes: 1024 ** 3 }],
    [{ cpu: '0.25' }, { cpu: 0.25 }],
    [{ memory: '256M' }, { memoryBytes: 256e6 }],
    [{ memory: 1_048_576 }, { memoryBytes: 1_048_576 }],
    [{ cpu: 64, memory: '256Gi' }, { cpu: 64, memoryBytes: 256 * 1024 ** 3 }],
  ] as const)('reads resources %j as %j', (resources, expected) => {
    const document = withResources(resources);
    expect(shapeProblems(document)).toEqual([]);
    expect(readDocument(document).steps[0]?.resources).toEqual(expected);
  });

  it.each([
    [{ cpu: 0 }, 'bad_cpu', 'steps[0].resources.cpu'],
    [{ cpu: -1 }, 'bad_cpu', 'steps[0].resources.cpu'],
    [{ cpu: 'two' }, 'bad_cpu', 'steps[0].resources.cpu'],
    [{ cpu: 65 }, 'bad_cpu', 'steps[0].resources.cpu'],
    [{ cpu: '64001m' }, 'bad_cpu', 'steps[0].resources.cpu'],
    [{ memory: '512MB' }, 'bad_memory', 'steps[0].resources.memory'],
    [{ memory: 1.5 }, 'bad_memory', 'steps[0].resources.memory'],
    [{ memory: '257Gi' }, 'bad_memory', 'steps[0].resources.memory'],
    [{ memory: '0Mi' }, 'bad_memory', 'steps[0].resources.memory'],
    [{ gpu: 1 }, 'unknown_field', 'steps[0].resources.gpu'],
    ['1 core', 'wrong_type', 'steps[0].resources'],
  ] as const)('refuses resources %j with %s at %s', (resources, code, path) => {
    const problems = shapeProblems(withResources(resources));
    expect(problems.map((p) => [p.code, pathText(p.path)])).toEqual([[code, path]]);
    expect(problems[0]?.message).not.toBe('');
  });

  it('says the bounds in the message', () => {
    expect(shapeProblems(withResources({ cpu: 65, memory: '300Gi' })).map((p) => p.message)).toEqual([
      'At most 64 cores, got 65.', 'At most 256Gi of memory, got 300Gi.',
    ]);
  });

  it('leaves out what is malformed when reading, keeping the rest', () => {
    expect(readDocument(withResources({ cpu: 'lots', memory: '1Gi' })).steps[0]?.resources).toEqual({ memoryBytes: 1024 ** 3 });
    expect(readDocument(withResources({ cpu: 'lots' })).steps[0]?.resources).toBeUndefined();
  });

  it('gives a wait step no resources (it calls nothing)', () => {
    const problems = shapeProblems({ ...base, steps: [{ id: 'w', wait: { signal: 's' }, resources: { cpu: 1 } }] });
    expect(problems.map((p) => [p.code, pathText(p.path)])).toEqual([['not_for_wait', 'steps[0].resources']]);
  });

  it('orders the site after the description and resources last in a step', () => {
    const canonical = canonicalDocument({ ...base, steps: [{ resources: { memory: '1Gi', cpu: 1 }, action: 'x', id: 'a' }], site: 'docker', description: 'd' }) as { [key: string]: JsonValue };
    expect(Object.keys(canonical)).toEqual(['apiVersion', 'kind', 'name', 'description', 'site', 'trigger', 'steps']);
    expect(JSON.stringify(canonical['steps'])).toBe('[{"id":"a","action":"x","resources":{"cpu":1,"memory":"1Gi"}}]');
  });
});

describe('withValueAt', () => {
  it('replaces one value and copies the way there', () => {
    const raw = { steps: [{ action: 'a' }, { action: 'b' }] };
    expect(withValueAt(raw, ['steps', 1, 'action'], 'b@1')).toEqual({ steps: [{ action: 'a' }, { action: 'b@1' }] });
    expect(raw.steps[1]?.action).toBe('b');
  });
});
