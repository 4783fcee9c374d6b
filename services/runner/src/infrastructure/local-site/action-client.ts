import { type ClientReadableStream, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import * as pb from '../pb/action/v1/action.js';

/** A gRPC failure as the site reads it: the deadline passed, the caller cancelled, or the wrapper could not answer. */
export type RpcFailure = { readonly type: 'deadline' | 'cancelled' | 'failed'; readonly message: string };

export type RpcOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RpcFailure };

/** A warm channel to one wrapper: Init, Run and Health with deadlines, Listen and TailLogs as streams; `close` ends the channel. */
export type ActionClient = {
  /** Opens a trigger's stream (no deadline: it lasts as long as the trigger listens; `cancel()` ends it). */
  listen: (request: pb.ListenRequest) => ClientReadableStream<pb.ListenResponse>;
  /** Follows an execution's output while it runs (no deadline: it ends with the execution; `cancel()` ends it sooner). */
  tailLogs: (executionId: string) => ClientReadableStream<pb.TailLogsResponse>;
  init: (deadlineMs: number) => Promise<RpcOutcome<pb.InitResponse>>;
  run: (request: pb.RunRequest, deadlineMs: number, signal?: AbortSignal) => Promise<RpcOutcome<pb.RunResponse>>;
  health: (deadlineMs: number) => Promise<RpcOutcome<pb.HealthResponse>>;
  /** Tells a trigger what became of one of its events (a Listen with `acknowledges`). */
  ackEvent: (request: pb.AckEventRequest, deadlineMs: number) => Promise<RpcOutcome<pb.AckEventResponse>>;
  close: () => void;
};

const MAX_MESSAGE = 64 * 1024 * 1024;

function failureOf(error: ServiceError): RpcFailure {
  if (error.code === status.DEADLINE_EXCEEDED) return { type: 'deadline', message: error.details };
  if (error.code === status.CANCELLED) return { type: 'cancelled', message: error.details };
  return { type: 'failed', message: `${status[error.code]}: ${error.details}` };
}

/** A client of the wrapper at `address` (`host:port`; a bare port means 127.0.0.1). */
export function makeActionClient(address: string | number): ActionClient {
  const target = typeof address === 'number' ? `127.0.0.1:${address}` : address;
  const client = new pb.ActionServiceClient(target, credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE,
    'grpc.max_send_message_length': MAX_MESSAGE,
    // Channelz counts and timestamps every call and message (objects and dates per call) for a
    // debugging service nothing here serves.
    'grpc.enable_channelz': 0,
  });
  const unary = <Req, Res>(
    method: (request: Req, metadata: Metadata, options: { deadline: Date }, callback: (error: ServiceError | null, response: Res) => void) => { cancel: () => void },
    request: Req,
    deadlineMs: number,
    signal?: AbortSignal,
  ): Promise<RpcOutcome<Res>> =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve({ ok: false, error: { type: 'cancelled', message: 'cancelled before the call' } });
      const onAbort = () => call.cancel();
      const call = method.call(client, request, new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (error, response) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(error ? { ok: false, error: failureOf(error) } : { ok: true, value: response });
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  return {
    init: (deadlineMs) => unary(client.init, pb.InitRequest.fromPartial({ contractVersion: 'v1' }), deadlineMs),
    run: (request, deadlineMs, signal) => unary(client.run, request, deadlineMs, signal),
    health: (deadlineMs) => unary(client.health, pb.HealthRequest.fromPartial({}), deadlineMs),
    ackEvent: (request, deadlineMs) => unary(client.ackEvent, request, deadlineMs),
    listen: (request) => client.listen(request),
    tailLogs: (executionId) => client.tailLogs(pb.TailLogsRequest.fromPartial({ executionId })),
    close: () => client.close(),
  };
}
