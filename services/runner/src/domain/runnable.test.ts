import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import { notRunnableYet } from './runnable.js';

const doc = (trigger: JsonValue, steps: JsonValue[]): JsonValue => ({ apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'w', trigger, steps });
const http = { type: 'http', path: 'p' };

describe('notRunnableYet', () => {
  it.each([
    ['a plain DAG with when behind an HTTP trigger', doc(http, [{ id: 'a', action: 'x@1', when: '${{ true }}' }]), undefined],
    ['a manual trigger', doc({ type: 'manual' }, [{ id: 'a', action: 'x@1' }]), undefined],
    ['a trigger action (it runs)', doc({ type: 'action', action: 't@1' }, [{ id: 'a', action: 'x@1' }]), undefined],
    ['a schedule trigger (it runs)', doc({ type: 'schedule', cron: '* * * * *' }, [{ id: 'a', action: 'x@1' }]), undefined],
    ['foreach and retry (they run)', doc(http, [{ id: 'a', action: 'x@1', foreach: [1] }, { id: 'b', action: 'x@1', retry: { attempts: 2 } }]), undefined],
    ['a compensation (it runs)', doc(http, [{ id: 'a', action: 'x@1', on_failure: 'b' }, { id: 'b', action: 'x@1' }]), undefined],
  ] as [string, JsonValue, string | undefined][])('%s', (_name, document, reason) => {
    expect(notRunnableYet(JSON.stringify(document))).toBe(reason);
  });
});
