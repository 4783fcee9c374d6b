// The echo service definition, shared by the echo server and the benchmark's client: the
// wrapper's Run method (its codec and messages) at another path.
import * as pb from '../../packages/action-wrapper/dist/infrastructure/pb/action/v1/action.js';

export const echoService = {
  echo: { ...pb.ActionServiceService.run, path: '/trellis.bench.v1.Echo/Echo' },
};

/** What a no-op handler's Run answers: the output `ok: true`, empty logs. */
export function noopResponse(executionId) {
  return {
    executionId,
    outputs: { ok: { kind: { $case: 'booleanValue', booleanValue: true } } },
    logs: { stdout: '', stderr: '', truncated: false },
    durationMs: 0,
  };
}
