/** The workflows the stories run (documents as studio sends them to the runner). */

/** Async HTTP (202 at once), no credential: a ledger step (slow on attempt 1 only), then two add-ones. */
export const ledgerThenAdd = (name: string) => ({
  name, trigger: { type: 'http', path: name, timeout: 0, auth: 'none', inputs: [{ name: 'n', type: 'integer' }, { name: 'ledger', type: 'string' }, { name: 'first_ms', type: 'integer' }] },
  steps: [
    { id: 'slow', action: 'ledger@1.0.0', inputs: { ledger: '${{ trigger.ledger }}', first_ms: '${{ trigger.first_ms }}' } },
    { id: 's1', action: 'add-one@1.0.0', inputs: { n: '${{ trigger.n }}' }, needs: ['slow'] },
    { id: 's2', action: 'add-one@1.0.0', inputs: { n: '${{ steps.s1.n }}' } },
  ],
  results: { n: '${{ steps.s2.n }}' },
});

/** One ledger step that times out on attempt 1 and is retried. */
export const retriedLedger = (name: string) => ({
  name, trigger: { type: 'http', path: name, inputs: [{ name: 'ledger', type: 'string' }, { name: 'first_ms', type: 'integer' }] },
  steps: [{
    id: 'pay', action: 'ledger@1.0.0', inputs: { ledger: '${{ trigger.ledger }}', first_ms: '${{ trigger.first_ms }}' },
    timeout: '1500ms', retry: { attempts: 3, backoff: '50ms', max_delay: '50ms' },
  }],
  results: { attempt: '${{ steps.pay.attempt }}' },
});

/** A chain of add-one steps on an HTTP trigger. */
export const addChain = (name: string, length: number) => ({
  name, trigger: { type: 'http', path: name, timeout: 0, auth: 'none', inputs: [{ name: 'n', type: 'integer' }] },
  steps: Array.from({ length }, (_, i) => ({ id: `s${i}`, action: 'add-one@1.0.0', inputs: { n: i === 0 ? '${{ trigger.n }}' : `\${{ steps.s${i - 1}.n }}` } })),
  results: { n: `\${{ steps.s${length - 1}.n }}` },
});

/** A schedule trigger and one echo step. */
export const scheduled = (name: string, cron: string, timezone = 'UTC') => ({
  name, trigger: { type: 'schedule', cron, timezone, missed: 'skip', inputs: { text: name } },
  steps: [{ id: 'say', action: 'echo@1.0.0', inputs: { text: '${{ trigger.text }}' } }],
  results: { text: '${{ steps.say.text }}' },
});

export type LedgerLine = { what: 'start' | 'applied' | 'end'; key: string; attempt: number; pid: number; at: number };
