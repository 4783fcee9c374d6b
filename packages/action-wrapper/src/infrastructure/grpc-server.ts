import { Server, ServerCredentials, type ServerErrorResponse, status } from '@grpc/grpc-js';
import type { ActionDefinition } from '@trellis/action-manifest/definition';
import { type Executor, requestProblems } from '../executor.js';
import type { Limiter } from '../limiter.js';
import { makeTail, type TailChunk } from '../log-tail.js';
import { executionRequestOf, initResponseOf, listenRequestOf, listenResponseOf, runResponseOf } from './codecs.js';
import * as pb from './pb/action/v1/action.js';

export type ServerDeps = {
  readonly definition: ActionDefinition;
  readonly executor: Executor;
  readonly limiter: Limiter;
  readonly wrapperVersion: string;
  readonly defaultTimeoutMs: number;
  readonly concurrency: number;
  /** How far a TailLogs reader may fall behind (bytes waiting for it) before what comes next is cut. */
  readonly logLimitBytes: number;
  readonly isDraining: () => boolean;
  /** Listen calls in progress: aborted on shutdown. */
  readonly listens: Set<AbortController>;
  /** Where unexpected failures are reported (the wrapper's stderr). */
  readonly diagnostics: (text: string) => void;
};

/** Why a call failed as a gRPC error (expected failures of user code are RunResponse.error instead). */
type CallFailure =
  | { readonly type: 'malformed'; readonly problems: readonly string[] }
  | { readonly type: 'draining' }
  | { readonly type: 'wrong_kind'; readonly message: string }
  | { readonly type: 'internal'; readonly error: unknown };

function statusOf(failure: CallFailure): Partial<ServerErrorResponse> & { code: status } {
  switch (failure.type) {
    case 'malformed':
      return { code: status.INVALID_ARGUMENT, details: failure.problems.join('; ') };
    case 'draining':
      return { code: status.UNAVAILABLE, details: 'the wrapper is shutting down' };
    case 'wrong_kind':
      return { code: status.FAILED_PRECONDITION, details: failure.message };
    case 'internal':
      return { code: status.INTERNAL, details: 'internal error in the action wrapper' };
  }
}

const tailStreams = { stdout: pb.TailLogsResponse_Stream.STREAM_STDOUT, stderr: pb.TailLogsResponse_Stream.STREAM_STDERR } as const;
const tailResponseOf = (chunk: TailChunk): pb.TailLogsResponse => ({ stream: tailStreams[chunk.stream], text: chunk.text });

export function makeActionService(deps: ServerDeps): pb.ActionServiceServer {
  const { definition } = deps;
  const report = (rpc: string, failure: CallFailure) => {
    if (failure.type === 'internal') deps.diagnostics(`${rpc} failed: ${failure.error instanceof Error ? (failure.error.stack ?? failure.error.message) : String(failure.error)}\n`);
    return statusOf(failure);
  };
  return {
    init(call, callback) {
      const version = call.request.contractVersion;
      if (version !== '' && version !== 'v1') {
        callback(report('Init', { type: 'malformed', problems: [`contract_version ${version} is not supported; this wrapper speaks v1`] }));
        return;
      }
      callback(null, initResponseOf(definition, deps.wrapperVersion, deps.defaultTimeoutMs, deps.concurrency));
    },

    run(call, callback) {
      if (deps.isDraining()) return callback(report('Run', { type: 'draining' }));
      if (definition.kind === 'Trigger') {
        return callback(report('Run', { type: 'wrong_kind', message: `${definition.id} is a Trigger: call Listen` }));
      }
      const { request, problems } = executionRequestOf(call.request);
      problems.push(...requestProblems(definition, request));
      if (problems.length > 0) return callback(report('Run', { type: 'malformed', problems }));
      deps.executor.run(request).then(
        (result) => callback(null, runResponseOf(result)),
        (error: unknown) => callback(report('Run', { type: 'internal', error })),
      );
    },

    listen(call) {
      const fail = (failure: CallFailure) => call.destroy(Object.assign(new Error(statusOf(failure).details), report('Listen', failure)));
      if (deps.isDraining()) return fail({ type: 'draining' });
      if (definition.kind !== 'Trigger') return fail({ type: 'wrong_kind', message: `${definition.id} is a ${definition.kind}: call Run` });
      const { request, problems } = listenRequestOf(call.request);
      if (problems.length > 0) return fail({ type: 'malformed', problems });
      const controller = new AbortController();
      deps.listens.add(controller);
      call.on('cancelled', () => controller.abort());
      deps.executor
        .listen(request, (event) => call.write(listenResponseOf(event)), controller.signal)
        .then(
          () => call.end(),
          (error: unknown) => fail({ type: 'internal', error }),
        )
        .finally(() => {
          controller.abort();
          deps.listens.delete(controller);
        });
    },

    // Answered `known: false` rather than an error for an event nobody waits for: the caller has nothing to do about it.
    ackEvent(call, callback) {
      const { listenId, eventId, accepted, reason } = call.request;
      if (eventId === '') return callback(report('AckEvent', { type: 'malformed', problems: ['event_id is required'] }));
      callback(null, { known: deps.executor.ack(listenId, eventId, { accepted, reason }) });
    },

    // An execution not in flight (unknown, ended, or on another wrapper) ends the stream at once, OK: there is nothing to follow.
    tailLogs(call) {
      const logs = deps.executor.logsOf(call.request.executionId);
      if (logs === undefined) return call.end();
      const tail = makeTail({ send: (chunk) => call.write(tailResponseOf(chunk)), end: () => call.end() }, deps.logLimitBytes);
      call.on('drain', () => tail.drained());
      const stop = logs.follow(tail);
      call.on('cancelled', stop);
    },

    health(_call, callback) {
      callback(null, {
        status: deps.isDraining() ? pb.HealthResponse_Status.STATUS_DRAINING : pb.HealthResponse_Status.STATUS_SERVING,
        running: deps.limiter.running,
        queued: deps.limiter.queued,
      });
    },
  };
}

/** Starts a gRPC server for the service; resolves with the bound port. */
export async function serveActionService(service: pb.ActionServiceServer, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  server.addService(pb.ActionServiceService, service);
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, ServerCredentials.createInsecure(), (error, actual) => (error ? reject(error) : resolve(actual)));
  });
  return { server, port: bound };
}

/** Stops accepting calls and waits (at most `graceMs`) for the running ones. */
export async function stopServer(server: Server, graceMs: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
