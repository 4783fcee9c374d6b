import type { UseCases } from '../../application/use-cases.js';
import type { Queries } from '../postgres/queries.js';

/** What the routes need: the use cases for changes, the queries for reads. */
export type RouteDeps = { useCases: UseCases; queries: Queries };
