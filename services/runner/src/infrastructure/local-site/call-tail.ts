import { maskSecretsIn } from '../../domain/secret-mask.js';
import type { AttemptTail, LiveOutput } from '../http/step-log-stream.js';
import * as pb from '../pb/action/v1/action.js';
import type { ActionClient } from './action-client.js';

/** A call in flight on this site, as a follower of its step's logs finds it. */
export type RunningCall = {
  readonly attempt: number; readonly executionId: string; readonly client: ActionClient;
  /** Masked in what a follower sees (a secret cut across two chunks is not recognised: its pieces pass). */
  readonly secrets: readonly string[];
};

/** Calls in flight by their idempotency key (`<run>:<step>`): one per step at a time. */
export type RunningCalls = Map<string, RunningCall>;

const streamOf = (response: pb.TailLogsResponse): LiveOutput['stream'] => (response.stream === pb.TailLogsResponse_Stream.STREAM_STDERR ? 'stderr' : 'stdout');

/**
 * The call's output as its wrapper sends it (TailLogs), opened only when someone follows. A
 * wrapper that cannot tail (an older one answers UNIMPLEMENTED) or goes away just ends the tail:
 * the follower still gets the attempt's logs when it ends.
 */
export function tailOf(call: RunningCall): AttemptTail {
  return {
    attempt: call.attempt,
    follow(onOutput, onEnd) {
      const stream = call.client.tailLogs(call.executionId);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        onEnd();
      };
      stream.on('data', (response: pb.TailLogsResponse) => {
        if (!done) onOutput({ stream: streamOf(response), text: maskSecretsIn(response.text, call.secrets) });
      });
      stream.on('end', finish);
      stream.on('error', finish);
      return () => {
        done = true;
        stream.cancel();
      };
    },
  };
}
