import { TrellisApiError, unwrap, type TrellisClient } from '@trellis/sdk';
import { CliError, EXIT } from '../../exit-codes.js';
import type { RunDetail } from '../workflow/api-types.js';

export const runNotFound = (id: string) => new CliError('run_not_found', `no run ${id} in this project`, { exitCode: EXIT.notFound, hint: 'list them with `trellis run list`' });

/** A run's 404s (the run, its step, its output) say which list shows what there is. */
export function explainRunNotFound(runId: string, step?: string) {
  return (error: unknown): never => {
    if (error instanceof TrellisApiError && error.code === 'run_not_found') throw runNotFound(runId);
    if (error instanceof TrellisApiError && error.code === 'step_not_found') {
      throw new CliError(error.code, `the run ${runId} has no step ${step ?? ''}`.trimEnd(), { exitCode: EXIT.notFound, hint: `its steps: \`trellis run show ${runId}\`` });
    }
    if (error instanceof TrellisApiError && error.code === 'output_not_found') {
      throw new CliError(error.code, `the step ${step ?? ''} of run ${runId} has no such output (yet)`, { exitCode: EXIT.notFound, hint: `its outputs: \`trellis run show ${runId} --json\`` });
    }
    throw error;
  };
}

export const readRun = (client: TrellisClient, id: string): Promise<RunDetail> =>
  unwrap(client.GET('/runner/runs/{id}', { params: { path: { id } } })).catch(explainRunNotFound(id));
