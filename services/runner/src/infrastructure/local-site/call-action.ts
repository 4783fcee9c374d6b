import type { ActionVersionRef, Call, CallFailure, CallLogs, CallOutcome } from '../../application/site.js';
import type { ActionInstance } from './action-instance.js';
import type { LiveAction } from './action-process.js';
import type { RunningCall, RunningCalls } from './call-tail.js';
import * as pb from '../pb/action/v1/action.js';
import { decodeOutputs, encodeInputs } from './values.js';

const NO_LOGS: CallLogs = { stdout: '', stderr: '', truncated: false };

/** The wrapper answers its own timeout first (with the handler's logs); the gRPC deadline is the backstop. */
const DEADLINE_MARGIN_MS = 1000;

/** How long a failed call waits to see whether the process died (the exit may come after the gRPC error). */
const EXIT_WAIT_MS = 500;

/**
 * A Node handler that timed out cannot be stopped inside its wrapper (a promise cannot be
 * cancelled): its process is killed and the next call starts another, so a retry never runs
 * beside it. Its other calls in flight fail (`unavailable`, retryable). Python's wrapper
 * kills its own child at the timeout.
 */
function cutOff(instance: ActionInstance, live: LiveAction, action: ActionVersionRef): void {
  if (action.runtime === 'nodejs') instance.retire(live);
}

/** RunResponse.error's code -> the kind of failure: the wrapper's own codes first, anything else is the handler's. */
function failureOfError(error: pb.RunError): CallFailure {
  switch (error.code) {
    case 'timeout':
      return { kind: 'timeout', code: 'timeout', message: error.message };
    case 'runtime_crashed':
      return { kind: 'runtime_crashed', code: 'runtime_crashed', message: error.message };
    case 'bad_output':
      return { kind: 'invalid_output', code: 'bad_output', message: error.message };
    default:
      return { kind: 'action_error', code: error.code, message: error.message };
  }
}

/**
 * One call on an action version: its inputs checked against the declaration first, a slot of the
 * version's concurrency limit (callers beyond it wait in order), the process started if it is not
 * running, then Run with a deadline; every way it can end becomes a CallOutcome. While Run is in
 * flight the call is in `running`, so a follower of its step's logs can tail it.
 */
export async function callAction(instance: ActionInstance, action: ActionVersionRef, call: Call, now: () => number, running: RunningCalls): Promise<CallOutcome> {
  const started = now();
  const failed = (failure: CallFailure, logs: CallLogs = NO_LOGS): CallOutcome => ({ ok: false, failure, logs, durationMs: Math.round(now() - started) });
  const inputs = encodeInputs(action.inputs, call.inputs);
  if (!inputs.ok) return failed({ kind: 'action_error', code: 'invalid_input', message: inputs.error });
  let release: () => void;
  try {
    release = await instance.limiter.acquire(call.signal);
  } catch {
    return failed({ kind: 'canceled', code: 'canceled', message: 'the call was cancelled while it waited for a slot' });
  }
  instance.busy(1);
  try {
    let live;
    try {
      live = await instance.live('call');
    } catch (error) {
      return failed({ kind: 'unavailable', code: 'unavailable', message: `the action could not be started: ${(error as Error).message}` });
    }
    if (call.signal?.aborted) return failed({ kind: 'canceled', code: 'canceled', message: 'the call was cancelled' });
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    call.signal?.addEventListener('abort', onAbort, { once: true });
    live.calls.add(controller);
    const request = pb.RunRequest.fromPartial({
      executionId: call.executionId, idempotencyKey: call.idempotencyKey, attempt: call.attempt,
      inputs: inputs.value, outputUrls: { ...call.outputUrls }, timeoutMs: call.timeoutMs,
    });
    const inFlight: RunningCall = { attempt: call.attempt, executionId: call.executionId, client: live.client, secrets: call.secrets ?? [] };
    running.set(call.idempotencyKey, inFlight);
    const answer = await live.client.run(request, call.timeoutMs + DEADLINE_MARGIN_MS, controller.signal);
    if (running.get(call.idempotencyKey) === inFlight) running.delete(call.idempotencyKey);
    live.calls.delete(controller);
    call.signal?.removeEventListener('abort', onAbort);
    if (!answer.ok) {
      if (answer.error.type === 'failed') await Promise.race([live.process.exited, new Promise((resolve) => setTimeout(resolve, EXIT_WAIT_MS))]);
      if (live.crashed) return failed({ kind: 'runtime_crashed', code: 'runtime_crashed', message: `the action's process died during the call; it starts again on the next call` });
      if (call.signal?.aborted) return failed({ kind: 'canceled', code: 'canceled', message: 'the call was cancelled' });
      if (answer.error.type === 'deadline') {
        cutOff(instance, live, action);
        return failed({ kind: 'timeout', code: 'timeout', message: `the action did not answer within ${call.timeoutMs} ms; the call was cancelled` });
      }
      return failed({ kind: 'unavailable', code: 'unavailable', message: `the action could not be reached: ${answer.error.message}` });
    }
    const response = answer.value;
    const logs = response.logs ?? NO_LOGS;
    if (response.error !== undefined) {
      const failure = failureOfError(response.error);
      if (failure.kind === 'timeout') cutOff(instance, live, action);
      return failed(failure, logs);
    }
    const outputs = decodeOutputs(action.outputs, response.outputs);
    if (!outputs.ok) return failed({ kind: 'invalid_output', code: 'invalid_output', message: outputs.error }, logs);
    return { ok: true, outputs: outputs.value, logs, durationMs: Math.round(now() - started) };
  } finally {
    instance.busy(-1);
    release();
  }
}
