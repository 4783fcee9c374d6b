import { createClient, TrellisApiError, unwrap, waitForRun } from '@trellis/sdk';

const trellis = createClient({ baseUrl: process.env['TRELLIS_URL'] ?? 'http://localhost:8080' });

try {
  // Log in: the client keeps the tokens and renews them before they expire.
  await trellis.login('admin', process.env['TRELLIS_PASSWORD'] ?? '');

  // List the current project's workflows.
  const { items } = await unwrap(trellis.GET('/studio/workflows', { params: { query: { limit: 20 } } }));
  for (const workflow of items) console.log(workflow.name, workflow.deployment?.status ?? 'not deployed');

  // Start a run of the first one and wait for it to finish.
  const workflow = items[0];
  if (workflow) {
    const started = await unwrap(trellis.POST('/runner/workflows/{id}/runs', {
      params: { path: { id: workflow.id } },
      body: { inputs: { name: 'world' } },
    }));
    const run = await waitForRun(trellis, started.run_id, { onUpdate: (update) => console.log(update.status) });
    console.log(run.status, run.results);
  }
} catch (error) {
  // Every refused call throws the API's problem, typed.
  if (error instanceof TrellisApiError) console.error(`${error.code} (${error.status}): ${error.detail ?? ''}`);
  else throw error;
}
