import type { ServiceError } from '@grpc/grpc-js';
import type { ActionVersionRef } from '../../application/site.js';
import type { EventOutcome, ListenEnd, ListenHandlers, TriggerSite } from '../../application/trigger-site.js';
import * as pb from '../pb/action/v1/action.js';
import type { ActionInstance } from './action-instance.js';
import { decodeOutputs, encodeInputs } from './values.js';

/** How long an acknowledgement may take: the wrapper answers at once, or is gone (its trigger then sees its stream end). */
const ACK_DEADLINE_MS = 5000;

/** How long a failed stream waits to see whether the process died (the exit may come after the gRPC error). */
const EXIT_WAIT_MS = 500;

const STOPPED: ListenEnd = { kind: 'stopped' };
const ended = (message: string): ListenEnd => ({ kind: 'ended', message });

/**
 * One Listen on an action version's process (started first if none runs, held so the idle timer
 * leaves it alone, and not counted as a call). Events go to the handlers in the stream's order;
 * while `bound` of them are pending the stream is paused, so a trigger emitting faster than
 * runs are created waits in gRPC's flow control instead of in this process's memory.
 * The listen acknowledges: each event's outcome (its run committed, or refused) is told back to
 * the trigger (AckEvent) once the handler settled it, so the trigger's emit resolves only after
 * the run exists; an event left unanswered fails its emit when the stream ends.
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
    // A cursor that no longer fits the declaration is not given at all: the trigger starts afresh.
    const lastEvent = request.lastEvent === null ? undefined : encodeInputs(action.outputs, request.lastEvent);
    const stream = live.client.listen(pb.ListenRequest.fromPartial({
      listenId: request.listenId, inputs: inputs.value, acknowledges: true, lastEvent: lastEvent?.ok ? lastEvent.value : {},
    }));
    const answer = (eventId: string, outcome: EventOutcome) => {
      if (outcome.kind === 'unanswered') return;
      // A lost answer is the trigger's timeout to handle (it redelivers): nothing to retry here.
      void live.client.ackEvent(pb.AckEventRequest.fromPartial({
        listenId: request.listenId, eventId, accepted: outcome.kind === 'accepted', reason: outcome.kind === 'refused' ? outcome.reason : '',
      }), ACK_DEADLINE_MS);
    };
    handlers.onListening(live.process.pid);
    const pending = new Set<Promise<void>>();
    const onAbort = () => stream.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    const end = await new Promise<ListenEnd>((resolve) => {
      stream.on('data', (response: pb.ListenResponse) => {
        const event = response.event;
        if (event?.$case === 'error') return handlers.onTriggerError({ code: event.error.code, message: event.error.message });
        if (event?.$case !== 'run') return;
        const eventId = event.run.runId;
        const outputs = decodeOutputs(action.outputs, event.run.outputs);
        if (!outputs.ok) {
          answer(eventId, { kind: 'refused', reason: `its outputs do not fit the declaration: ${outputs.error}` });
          return handlers.onTriggerError({ code: 'bad_output', message: outputs.error });
        }
        const handled: Promise<void> = handlers.onEvent({ runId: eventId, outputs: outputs.value }).then(
          (outcome) => answer(eventId, outcome),
          () => undefined,
        ).finally(() => {
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
