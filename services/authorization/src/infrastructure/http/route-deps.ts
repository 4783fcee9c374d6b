import type { UseCases } from '../../application/use-cases.js';
import type { Queries } from '../postgres/queries.js';
import type { Jwks } from '../tokens/key-store.js';

/** What the routes need: the use cases for changes, the queries for reads, the published keys. */
export type RouteDeps = {
  useCases: UseCases;
  queries: Queries;
  jwks: () => Promise<Jwks>;
};
