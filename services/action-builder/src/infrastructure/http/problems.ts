import { HttpProblem } from '@trellis/platform/http/problem';
import type { BuildFinished, BuildNotFound } from '../../domain/build.js';

/** Every expected rejection a use case of this service answers over HTTP. */
export type Rejection = BuildNotFound | BuildFinished;

/** Rejection -> problem+json with a stable code. Exhaustive: a new rejection does not compile until it is mapped. */
export function problemOf(rejection: Rejection): HttpProblem {
  switch (rejection.type) {
    case 'BuildNotFound':
      return buildNotFound();
    case 'BuildFinished':
      return new HttpProblem(409, 'build_finished', 'Build finished', `The build has ended (${rejection.state}); only a queued or running build can be canceled.`);
  }
}

export const buildNotFound = () => new HttpProblem(404, 'build_not_found', 'Build not found', 'No such build in your current project.');
