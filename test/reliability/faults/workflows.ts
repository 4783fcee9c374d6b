// The workflows the load runs: a 10-step chain started by async HTTP calls, a schedule firing
// every second and a Trigger action emitting every second. Every step may retry, since a fault
// (an action process killed, a runner lost) fails an attempt and the promise is that the run
// still finishes.

const RETRY = ['    retry:', '      attempts: 20', '      backoff: 200ms', '      max_delay: 2s'];

const step = (id: string, n: string) => [`  - id: ${id}`, '    action: add-one', '    inputs:', `      n: \${{ ${n} }}`, ...RETRY];

const header = (name: string) => ['apiVersion: trellis.dev/v1', 'kind: Workflow', `name: ${name}`];

/** `length` add-one steps, async (`timeout: 0`: the call answers 202 with the run at once): n -> n + length. */
export function chainWorkflow(name: string, length: number): string {
  const steps = Array.from({ length }, (_, i) => step(`s${i + 1}`, i === 0 ? 'trigger.n' : `steps.s${i}.n`)).flat();
  return [
    ...header(name),
    'trigger:', '  type: http', `  path: ${name}`, '  timeout: 0', '  auth: none', '  inputs:', '    - name: n', '      type: integer',
    'steps:', ...steps, 'results:', `  n: \${{ steps.s${length}.n }}`, '',
  ].join('\n');
}

/** A run every second; missed ticks are caught up, so every tick must have its run. */
export function everySecondWorkflow(name: string): string {
  return [
    ...header(name),
    'trigger:', '  type: schedule', "  cron: '* * * * * *'", '  missed: catch_up', '  catch_up_limit: 1000', '  inputs:', '    n: 0',
    'steps:', ...step('s1', 'trigger.n'), '',
  ].join('\n');
}

/** A run per event of the example ticker Trigger action, every second. */
export function tickerWorkflow(name: string): string {
  return [
    ...header(name),
    'trigger:', '  type: action', '  action: ticker', '  inputs:', '    interval: 1',
    'steps:', ...step('s1', 'trigger.tick'), '',
  ].join('\n');
}
