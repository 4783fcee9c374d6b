export { createClient, unwrap, type ClientOptions, type TrellisClient } from './client.js';
export type { Credentials, Tokens } from './credentials.js';
export { TrellisApiError, TrellisConnectionError, type Problem, type ProblemFinding } from './errors.js';
export { FINISHED_RUN_STATUSES, waitForRun, type Run, type RunStatus, type WaitOptions } from './runs.js';
export { readEventStream, type ServerSentEvent } from './event-stream.js';
export type { components, operations, paths } from './generated/openapi.js';

/** The JSON body of one of `paths`' answers: `JsonBody<paths['/runner/runs']['get']['responses'][200]>`. */
export type JsonBody<Answer> = Answer extends { content: { 'application/json': infer Body } } ? Body : never;
