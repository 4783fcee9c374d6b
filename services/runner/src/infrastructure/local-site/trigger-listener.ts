import type { ServiceError } from '@grpc/grpc-js';
import type { ActionVersionRef } from '../../application/site.js';
import type { ListenEnd, ListenHandlers, TriggerSite } from '../../application/trigger-site.js';
import * as pb from '../pb/action/v1/action.js';
import type { ActionInstance } from './action-instance.js';
import { decodeOutputs, encodeInputs } from './values.js';

/** How long a failed stream waits to see whether the process died (the exit may come after the gRPC error). */
const EXIT_WAIT_MS = 500;

const STOPPED: ListenEnd = { kind: 'stopped' };
const ended = (message: string): ListenEnd => ({ kind: 'ended', message });

/**
 * One Listen on an action version's process (started first if none runs, held so the idle timer
 * leaves it alone, and not counted as a call). Events go to the handlers in the stream's order;
 * while `bound` of them are pending the stream is paused, so a trigger emitting faster than
 * runs are created waits in gRPC's flow control instead of in this process's memory.
 */
export async function listenOn(
  instance: ActionInstance, action: ActionVersionRef, request: Parameters<TriggerSite['listen']>[1], handlers: ListenHandlers, signal: AbortSignal, bound: number,
): Promise<ListenEnd> {
  const inputs = encodeInputs(action.inputs, request.inputs);
  if (!inputs.ok) return ended(`its inputs do not fit its declaration: ${inputs.error}`);
  instance.hold(1);
  try {
    let live;
    try {
      live = await instance.live('listen');
    } catch (error) {
      return ended(`the action could not be started: ${(error as Error).message}`);
    }
    if (signal.aborted) return STOPPED;
    const stream = live.client.listen(pb.ListenRequest.fromPartial({ listenId: request.listenId, inputs: inputs.value }));
    handlers.onListening(live.process.pid);
    const pending = new Set<Promise<void>>();
    const onAbort = () => stream.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    const end = await new Promise<ListenEnd>((resolve) => {
      stream.on('data', (response: pb.ListenResponse) => {
        const event = response.event;
        if (event?.$case === 'error') return handlers.onTriggerError({ code: event.error.code, message: event.error.message });
        if (event?.$case !== 'run') return;
        const outputs = decodeOutputs(action.outputs, event.run.outputs);
        if (!outputs.ok) return handlers.onTriggerError({ code: 'bad_output', message: outputs.error });
        const handled: Promise<void> = handlers.onEvent({ runId: event.run.runId, outputs: outputs.value }).catch(() => undefined).finally(() => {
          pending.delete(handled);
          if (pending.size < bound && stream.isPaused()) stream.resume();
        });
        pending.add(handled);
        if (pending.size >= bound) stream.pause();
      });
      stream.on('error', (error: ServiceError) => resolve(signal.aborted ? STOPPED : ended(`its stream failed: ${error.details || error.message}`)));
      stream.on('end', () => resolve(signal.aborted ? STOPPED : ended('its stream ended (the trigger returned)')));
    });
    signal.removeEventListener('abort', onAbort);
    // The events handed over are settled before the listen ends: none is left half-started behind a restart.
    await Promise.all(pending);
    if (end.kind === 'ended' && !live.crashed) await Promise.race([live.process.exited, new Promise((resolve) => setTimeout(resolve, EXIT_WAIT_MS))]);
    return end.kind === 'ended' && live.crashed ? ended(`its process ${live.process.pid} died`) : end;
  } finally {
    instance.hold(-1);
  }
}
