import type { Result } from '@trellis/kernel/result';
import type { HttpProblem } from './problem.js';

/**
 * A use case's result at the HTTP edge: its value, or the problem its rejection maps to, thrown
 * so that the app answers it once as problem+json. `problemOf` is the service's one exhaustive
 * switch from rejections to problems (see authorization's problems.ts).
 */
export function valueOr<T, E>(result: Result<T, E>, problemOf: (rejection: E) => HttpProblem): T {
  if (result.ok) return result.value;
  throw problemOf(result.error);
}
