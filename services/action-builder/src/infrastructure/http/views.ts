import { z } from 'zod';
import { BUILD_STATES, type Build } from '../../domain/build.js';
import { BASE_PATH } from './base-path.js';

/** The JSON shapes of builds, as zod schemas (the OpenAPI source) and the function that fills them. */
const timestamp = z.iso.datetime();

export const buildSchema = z.object({
  id: z.uuid().describe('The build id (the repository chose it when it asked for the build)'),
  state: z.enum(BUILD_STATES),
  attempt: z.number().int().describe('Attempts begun so far: a build interrupted by a restart of the builder starts again with the next one'),
  cancel_requested: z.boolean().describe('A cancellation was asked while the build ran; it stops soon'),
  source: z.object({ id: z.uuid(), name: z.string(), commit: z.string(), folder: z.string() }),
  action: z.object({ id: z.string(), version: z.string() }),
  requested_by: z.string(),
  requested_at: timestamp,
  started_at: timestamp.nullable().describe('When the current (or last) attempt began'),
  finished_at: timestamp.nullable(),
  failure_reason: z.string().nullable().describe('Why a failed or canceled build ended, in words a person can act on'),
  artifact: z.object({ digest: z.string().describe('SHA-256 of the artifact'), object: z.string(), size: z.number().int() }).nullable(),
  image_sites: z.array(z.string()),
  logs: z.string().describe('Where the build log is (GET; Server-Sent Events with Accept: text/event-stream)'),
});

export const buildView = (build: Build) => ({
  id: build.id, state: build.state, attempt: build.attempt, cancel_requested: build.cancelRequestedBy !== null && build.state === 'running',
  source: { id: build.sourceId, name: build.sourceName, commit: build.commit, folder: build.folder },
  action: { id: build.actionId, version: build.version },
  requested_by: build.requestedBy, requested_at: build.requestedAt, started_at: build.startedAt, finished_at: build.finishedAt,
  failure_reason: build.failureReason, artifact: build.artifact, image_sites: build.imageSites,
  logs: `${BASE_PATH}/builds/${build.id}/logs`,
});
