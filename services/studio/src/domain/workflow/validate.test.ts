import { describe, expect, it } from 'vitest';
import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { pathText } from '@trellis/workflow-language/document';
import { validateWorkflow, type ActionVersion, type ValidationContext } from './validate.js';

const io = (name: string, type: string, extra: Partial<IoSpec> = {}): IoSpec => ({ name, type, help: '', optional: false, ...extra });

const LIBRARY: ActionVersion[] = [
  // Newest build first for each id.
  { actionId: 'add-one', version: '2.0.0', kind: 'Processor', inputs: [io('n', 'integer')], outputs: [io('n', 'integer')] },
  { actionId: 'add-one', version: '1.0.0', kind: 'Processor', inputs: [io('n', 'integer')], outputs: [io('n', 'integer')] },
  { actionId: 'to-text', version: '1.0.0', kind: 'Processor', inputs: [io('value', 'string')], outputs: [io('text', 'string'), io('size', 'float')] },
  {
    actionId: 'resize', version: '1.0.0', kind: 'Processor',
    inputs: [io('image', 'file'), io('width', 'integer'), io('token', 'password'), io('format', 'enum', { values: ['png', 'jpeg'], optional: true })],
    outputs: [io('image', 'file'), io('meta', 'json')],
  },
  { actionId: 'listen', version: '1.0.0', kind: 'Trigger', inputs: [io('topic', 'string'), io('password', 'password')], outputs: [io('body', 'json'), io('count', 'integer')] },
  { actionId: 'serve', version: '1.0.0', kind: 'Processor', inputs: [io('http_port', 'integer', { injected: 'http_port' }), io('greeting', 'string', { optional: true })], outputs: [io('ok', 'boolean')] },
  { actionId: 'undo', version: '1.0.0', kind: 'Processor', inputs: [io('reason', 'string', { optional: true }), io('n', 'integer', { default: 0 })], outputs: [] },
];

const CONTEXT: ValidationContext = {
  versionsOf: (id) => LIBRARY.filter((action) => action.actionId === id),
  variables: new Map<string, JsonValue>([['WIDTH', 640], ['LABEL', 'big'], ['SETTINGS', { a: 1 }]]),
  secrets: new Set(['API_TOKEN']),
  httpPathsTaken: new Map([['taken', 'other-workflow']]),
  files: new Set(['f1']),
};

type Doc = Record<string, JsonValue>;

/** A valid document using most features; each case changes one part of it. */
function base(): Doc {
  return {
    apiVersion: 'trellis.dev/v1',
    kind: 'Workflow',
    name: 'add-ten',
    title: 'Add ten',
    trigger: { type: 'http', path: 'add-ten', timeout: '30s', auth: 'required', inputs: [{ name: 'n', type: 'integer' }, { name: 'images', type: 'json' }] },
    steps: [
      { id: 's1', action: 'add-one', inputs: { n: '${{ trigger.n }}' } },
      { id: 's2', action: 'add-one@1.0.0', inputs: { n: '${{ steps.s1.n }}' }, when: '${{ steps.s1.n < 100 }}', retry: { attempts: 3, backoff: '1s', max_delay: '30s' }, timeout: '10s', on_failure: 'undo-s2' },
      { id: 'each', action: 'resize', foreach: '${{ trigger.images }}', parallelism: 8, inputs: { image: '${{ item }}', width: '${{ vars.WIDTH }}', token: '${{ secrets.API_TOKEN }}' } },
      { id: 'undo-s2', action: 'undo', inputs: { reason: 'failed: ${{ failure.error.message }}', n: '${{ steps.s1.n }}' } },
    ],
    results: { n: '${{ steps.s2.n }}', images: '${{ steps.each.image }}' },
    on_finish: { webhook: 'https://example.com/hook' },
  };
}

type Change = (doc: Doc) => void;
const steps = (doc: Doc) => doc['steps'] as Doc[];
const step = (doc: Doc, index: number) => steps(doc)[index] as Doc;
const inputsOf = (doc: Doc, index: number) => step(doc, index)['inputs'] as Doc;
const trigger = (doc: Doc) => doc['trigger'] as Doc;

function problemsAfter(change: Change): [string, string][] {
  const doc = base();
  change(doc);
  return validateWorkflow(doc, CONTEXT).map((problem) => [problem.code, pathText(problem.path)]);
}

describe('validateWorkflow', () => {
  it('finds nothing wrong with the base document', () => {
    expect(validateWorkflow(base(), CONTEXT)).toEqual([]);
  });

  const cases: [string, Change, [string, string][]][] = [
    // Shape
    ['a document that is not an object', () => undefined, []],
    ['an unknown field', (d) => { d['stpes'] = []; }, [['unknown_field', 'stpes']]],
    ['a wrong apiVersion', (d) => { d['apiVersion'] = 'v0'; }, [['invalid_value', 'apiVersion']]],
    ['a bad name', (d) => { d['name'] = 'Add Ten'; }, [['invalid_value', 'name']]],
    ['a field of the wrong type', (d) => { d['title'] = 3; }, [['wrong_type', 'title']]],
    ['a missing trigger', (d) => { delete d['trigger']; }, [['missing_trigger', 'trigger'], ['unknown_trigger_output', 'steps[0].inputs.n'], ['unknown_trigger_output', 'steps[2].foreach']]],
    ['an unknown trigger type', (d) => { trigger(d)['type'] = 'email'; }, [['unknown_trigger_type', 'trigger.type'], ['unknown_trigger_output', 'steps[0].inputs.n'], ['unknown_trigger_output', 'steps[2].foreach']]],
    ['a bad duration', (d) => { step(d, 1)['timeout'] = '10 seconds'; }, [['bad_duration', 'steps[1].timeout']]],
    ['a bad retry', (d) => { step(d, 1)['retry'] = { attempts: 0 }; }, [['invalid_value', 'steps[1].retry.attempts']]],
    ['a missing step action', (d) => { delete step(d, 0)['action']; }, [['missing_field', 'steps[0].action']]],
    ['no steps', (d) => { d['steps'] = []; d['results'] = {}; }, [['no_steps', 'steps']]],
    ['a bad step id', (d) => { step(d, 2)['id'] = '2each'; d['results'] = { n: '${{ steps.s2.n }}' }; }, [['invalid_value', 'steps[2].id']]],
    // Actions
    ['an unknown action', (d) => { step(d, 0)['action'] = 'add-two'; }, [['unknown_action', 'steps[0].action']]],
    ['an unknown version', (d) => { step(d, 0)['action'] = 'add-one@9.9.9'; }, [['unknown_action_version', 'steps[0].action']]],
    ['a trigger action used as a step', (d) => { step(d, 0)['action'] = 'listen'; step(d, 0)['inputs'] = { topic: 't', password: '${{ secrets.API_TOKEN }}' }; },
      [['wrong_action_kind', 'steps[0].action'], ['unknown_output', 'steps[1].when'], ['unknown_output', 'steps[1].inputs.n'], ['unknown_output', 'steps[3].inputs.n']]],
    ['duplicate step ids', (d) => { step(d, 2)['id'] = 's2'; d['results'] = { n: '${{ steps.s2.n }}' }; }, [['duplicate_step_id', 'steps[2].id']]],
    // References and outputs
    ['a reference to a missing step', (d) => { inputsOf(d, 1)['n'] = '${{ steps.nope.n }}'; }, [['unknown_step_reference', 'steps[1].inputs.n']]],
    ['a reference to an output the action lacks', (d) => { inputsOf(d, 1)['n'] = '${{ steps.s1.total }}'; }, [['unknown_output', 'steps[1].inputs.n']]],
    ['a reference to a trigger input that is not declared', (d) => { inputsOf(d, 0)['n'] = '${{ trigger.m }}'; }, [['unknown_trigger_output', 'steps[0].inputs.n']]],
    ['a reference to its own outputs', (d) => { inputsOf(d, 0)['n'] = '${{ steps.s1.n }}'; }, [['reference_not_upstream', 'steps[0].inputs.n']]],
    ['a cycle', (d) => { inputsOf(d, 0)['n'] = '${{ steps.s2.n }}'; }, [['cycle', 'steps[0]']]],
    ['a cycle through needs', (d) => { step(d, 0)['needs'] = ['each']; step(d, 2)['needs'] = ['s2']; }, [['cycle', 'steps[0]']]],
    ['an unknown need', (d) => { step(d, 0)['needs'] = ['zzz']; }, [['unknown_step_reference', 'steps[0].needs[0]']]],
    ['a step depending on a compensation', (d) => { inputsOf(d, 2)['width'] = '${{ steps.undo-s2.n }}'; }, [['unknown_output', 'steps[2].inputs.width'], ['reference_not_upstream', 'steps[2].inputs.width']]],
    ['a compensation using a step that is not upstream of its owner', (d) => { inputsOf(d, 3)['reason'] = '${{ steps.each.image }}'; }, [['reference_not_upstream', 'steps[3].inputs.reason']]],
    ['an unknown compensation', (d) => { step(d, 1)['on_failure'] = 'undo-x'; }, [['unknown_step_reference', 'steps[1].on_failure'], ['failure_outside_compensation', 'steps[3].inputs.reason']]],
    ['a failure field that does not exist', (d) => { inputsOf(d, 3)['reason'] = '${{ failure.error.stack }}'; }, [['invalid_reference', 'steps[3].inputs.reason']]],
    ['failure fields a compensation may use', (d) => { inputsOf(d, 3)['reason'] = '${{ failure.step }} after ${{ failure.attempts }}: ${{ failure.error.code }} ${{ failure.inputs.n }}'; }, []],
    ['failure.* outside a compensation', (d) => { inputsOf(d, 0)['n'] = '${{ failure.inputs.n }}'; }, [['failure_outside_compensation', 'steps[0].inputs.n']]],
    // Types
    ['a float output into an integer input', (d) => { step(d, 0)['action'] = 'to-text'; step(d, 0)['inputs'] = { value: '${{ trigger.n }}' }; inputsOf(d, 1)['n'] = '${{ steps.s1.size }}'; d['results'] = {}; step(d, 1)['when'] = true; inputsOf(d, 3)['n'] = 1; },
      [['type_mismatch', 'steps[1].inputs.n']]],
    ['an integer into a string input is fine', (d) => { step(d, 0)['action'] = 'to-text'; step(d, 0)['inputs'] = { value: '${{ trigger.n }}' }; d['results'] = {}; step(d, 1)['when'] = true; inputsOf(d, 1)['n'] = 1; inputsOf(d, 3)['n'] = 1; }, []],
    ['a static value of the wrong type', (d) => { inputsOf(d, 0)['n'] = 'ten'; }, [['type_mismatch', 'steps[0].inputs.n']]],
    ['a float literal into an integer input', (d) => { inputsOf(d, 0)['n'] = 1.5; }, [['type_mismatch', 'steps[0].inputs.n']]],
    ['an enum value not allowed', (d) => { inputsOf(d, 2)['format'] = 'gif'; }, [['type_mismatch', 'steps[2].inputs.format']]],
    ['a file input from a string', (d) => { inputsOf(d, 2)['image'] = '${{ vars.LABEL }}'; }, [['type_mismatch', 'steps[2].inputs.image']]],
    ['an uploaded file as a static value', (d) => { step(d, 2)['foreach'] = [640]; inputsOf(d, 2)['width'] = '${{ item }}'; inputsOf(d, 2)['image'] = { file: 'f1' }; }, []],
    ['a file that was never uploaded', (d) => { step(d, 2)['foreach'] = [640]; inputsOf(d, 2)['width'] = '${{ item }}'; inputsOf(d, 2)['image'] = { file: 'f9' }; }, [['unknown_file', 'steps[2].inputs.image']]],
    ['a required input without a value', (d) => { delete inputsOf(d, 0)['n']; }, [['required_input_missing', 'steps[0].inputs.n']]],
    ['a required input set to null', (d) => { inputsOf(d, 0)['n'] = null; }, [['required_input_missing', 'steps[0].inputs.n']]],
    ['an input the action does not have', (d) => { inputsOf(d, 0)['m'] = 1; }, [['unknown_input', 'steps[0].inputs.m']]],
    ['an input the platform sets', (d) => { step(d, 0)['action'] = 'serve'; step(d, 0)['inputs'] = { http_port: 8080 }; d['steps'] = [step(d, 0)]; d['results'] = {}; }, [['input_set_by_platform', 'steps[0].inputs.http_port']]],
    // Conditions, foreach, item
    ['a condition that is not boolean', (d) => { step(d, 1)['when'] = '${{ steps.s1.n }}'; }, [['condition_not_boolean', 'steps[1].when']]],
    ['a bad expression', (d) => { step(d, 1)['when'] = '${{ steps.s1.n < }}'; }, [['bad_expression', 'steps[1].when']]],
    ['a function call in an expression', (d) => { step(d, 1)['when'] = '${{ exec("rm") }}'; }, [['bad_expression', 'steps[1].when']]],
    ['foreach over a number', (d) => { step(d, 2)['foreach'] = '${{ trigger.n }}'; }, [['foreach_not_list', 'steps[2].foreach']]],
    ['foreach over a static string', (d) => { step(d, 2)['foreach'] = 'abc'; }, [['foreach_not_list', 'steps[2].foreach']]],
    ['foreach over a static list', (d) => { step(d, 2)['foreach'] = [640, 800]; inputsOf(d, 2)['width'] = '${{ item }}'; inputsOf(d, 2)['image'] = { file: 'f1' }; }, []],
    ['item outside a foreach', (d) => { inputsOf(d, 0)['n'] = '${{ item }}'; }, [['item_outside_foreach', 'steps[0].inputs.n']]],
    ['item in results', (d) => { d['results'] = { x: '${{ item }}' }; }, [['item_outside_foreach', 'results.x']]],
    // Variables and secrets
    ['an unknown variable', (d) => { inputsOf(d, 2)['width'] = '${{ vars.HEIGHT }}'; }, [['unknown_variable', 'steps[2].inputs.width']]],
    ['an unknown secret', (d) => { inputsOf(d, 2)['token'] = '${{ secrets.NOPE }}'; }, [['unknown_secret', 'steps[2].inputs.token']]],
    ['a secret in the results', (d) => { d['results'] = { token: '${{ secrets.API_TOKEN }}' }; }, [['secret_not_allowed_here', 'results.token']]],
    ['a secret in a condition', (d) => { step(d, 1)['when'] = '${{ secrets.API_TOKEN == "x" }}'; }, [['secret_not_allowed_here', 'steps[1].when']]],
    ['a variable of the wrong type', (d) => { inputsOf(d, 2)['width'] = '${{ vars.LABEL }}'; }, [['type_mismatch', 'steps[2].inputs.width']]],
    // Triggers
    ['a taken HTTP path', (d) => { trigger(d)['path'] = 'taken'; }, [['http_path_taken', 'trigger.path']]],
    ['a bad HTTP path', (d) => { trigger(d)['path'] = '/add ten'; }, [['invalid_value', 'trigger.path']]],
    ['duplicate trigger inputs', (d) => { (trigger(d)['inputs'] as Doc[]).push({ name: 'n', type: 'float' }); }, [['duplicate_input', 'trigger.inputs[2].name']]],
    ['an enum trigger input without values', (d) => { (trigger(d)['inputs'] as Doc[]).push({ name: 'mode', type: 'enum' }); }, [['enum_without_values', 'trigger.inputs[2].values']]],
    ['a default that does not fit', (d) => { (trigger(d)['inputs'] as Doc[]).push({ name: 'k', type: 'integer', default: 'x' }); }, [['type_mismatch', 'trigger.inputs[2].default']]],
    ['an unknown I/O type', (d) => { (trigger(d)['inputs'] as Doc[]).push({ name: 'k', type: 'number' }); }, [['invalid_value', 'trigger.inputs[2].type']]],
    ['a bad cron', (d) => { d['trigger'] = { type: 'schedule', cron: '61 * * * *', inputs: { n: 1, images: [] } }; }, [['bad_cron', 'trigger.cron']]],
    ['a bad time zone', (d) => { d['trigger'] = { type: 'schedule', cron: '*/5 * * * *', timezone: 'Mars/Olympus', inputs: { n: 1, images: [] } }; }, [['bad_timezone', 'trigger.timezone']]],
    ['a schedule with a secret input', (d) => { d['trigger'] = { type: 'schedule', cron: '*/5 * * * *', inputs: { n: 1, images: [], t: '${{ secrets.API_TOKEN }}' } }; }, [['secret_not_allowed_here', 'trigger.inputs.t']]],
    ['a schedule using run values', (d) => { d['trigger'] = { type: 'schedule', cron: '*/5 * * * *', inputs: { n: '${{ steps.s1.n }}', images: [] } }; }, [['reference_not_allowed', 'trigger.inputs.n']]],
    ['a trigger action that is not a Trigger', (d) => { d['trigger'] = { type: 'action', action: 'add-one', inputs: { n: 1 } }; }, [['wrong_action_kind', 'trigger.action'], ['unknown_trigger_output', 'steps[2].foreach']]],
    ['a trigger action missing a required input', (d) => { d['trigger'] = { type: 'action', action: 'listen@1.0.0', inputs: { password: '${{ secrets.API_TOKEN }}' } }; inputsOf(d, 0)['n'] = '${{ trigger.count }}'; step(d, 2)['foreach'] = '${{ trigger.body }}'; },
      [['required_input_missing', 'trigger.inputs.topic']]],
    ['a bad webhook', (d) => { d['on_finish'] = { webhook: 'file:///etc/passwd' }; }, [['bad_webhook_url', 'on_finish.webhook']]],
    ['a wait step read downstream (any output name: the signal\'s payload)', (d) => {
      steps(d).splice(1, 0, { id: 'approve', wait: { signal: 'approved', timeout: '1d' } });
      inputsOf(d, 2)['n'] = '${{ steps.approve.count }}';
    }, []],
    ['two wait steps for one signal', (d) => { steps(d).push({ id: 'w1', wait: { signal: 'go' } }, { id: 'w2', wait: { signal: 'go' } }); }, [['duplicate_signal', 'steps[5].wait.signal']]],
  ];

  it.each(cases)('%s', (_name, change, expected) => {
    if (_name === 'a document that is not an object') {
      expect(validateWorkflow([1, 2] as unknown as JsonValue, CONTEXT).map((p) => [p.code, pathText(p.path)])).toEqual([['wrong_type', '']]);
      return;
    }
    expect(problemsAfter(change)).toEqual(expected);
  });

  it('names every problem of a document at once, each with a message', () => {
    const doc = base();
    doc['name'] = 'X';
    step(doc, 0)['action'] = 'nope';
    inputsOf(doc, 1)['n'] = '${{ steps.ghost.n }}';
    step(doc, 1)['timeout'] = 'soon';
    inputsOf(doc, 2)['width'] = '${{ vars.NONE }}';
    d2(doc);
    const problems = validateWorkflow(doc, CONTEXT);
    expect(problems.map((p) => p.code).sort()).toEqual(['bad_duration', 'bad_webhook_url', 'invalid_value', 'unknown_action', 'unknown_step_reference', 'unknown_variable']);
    for (const problem of problems) expect(problem.message.length).toBeGreaterThan(10);
  });

  it('explains a cycle with its path', () => {
    const doc = base();
    inputsOf(doc, 0)['n'] = '${{ steps.s2.n }}';
    expect(validateWorkflow(doc, CONTEXT).find((p) => p.code === 'cycle')?.message).toContain('s1 -> s2 -> s1');
  });

  it('handles a chain of 500 steps', () => {
    const doc = base();
    doc['steps'] = Array.from({ length: 500 }, (_, i) => ({ id: `s${i}`, action: 'add-one', inputs: { n: i === 0 ? '${{ trigger.n }}' : `\${{ steps.s${i - 1}.n }}` } }));
    doc['results'] = { n: '${{ steps.s499.n }}' };
    expect(validateWorkflow(doc, CONTEXT)).toEqual([]);
  });
});

function d2(doc: Doc): void {
  doc['on_finish'] = { webhook: 'ftp://example.com' };
}
