import { createServer } from 'node:net';
import type { ActionDefinition } from '@trellis/action-manifest/definition';

/**
 * Where a Ryax trigger that serves HTTP listens. Ryax gives it a port two ways, and Trellis does
 * both, with the same port: the environment variable RYAX_SOURCE_PORT of the Python process, and
 * the inputs `ryax_endpoint_port` (an integer) and `ryax_endpoint_prefix` (the path the platform
 * routes to it, e.g. `/my-trigger`) added to the trigger's input values.
 */
export type RyaxEndpoint = { readonly port: number; readonly prefix: string };

export const ryaxSourcePortVariable = 'RYAX_SOURCE_PORT';

/** Whether the action is a Ryax trigger, the one kind of action that gets an endpoint. */
export function needsRyaxEndpoint(definition: Pick<ActionDefinition, 'kind' | 'runtime' | 'source'>): boolean {
  return definition.source.format === 'ryax' && definition.kind === 'Trigger' && definition.runtime === 'python';
}

/** The prefix when the caller gives none: `/<action id>`. */
export function defaultEndpointPrefix(definition: Pick<ActionDefinition, 'id'>): string {
  return `/${definition.id}`;
}

/** The values added to the trigger's inputs, except those it declares itself (they keep their own). */
export function ryaxEndpointInputs(definition: Pick<ActionDefinition, 'inputs'>, endpoint: RyaxEndpoint): Record<string, unknown> {
  const declared = new Set(definition.inputs.map((io) => io.name));
  const extras: Record<string, unknown> = { ryax_endpoint_port: endpoint.port, ryax_endpoint_prefix: endpoint.prefix };
  for (const name of declared) delete extras[name];
  return extras;
}

/** A TCP port free on every interface right now (the trigger binds it later, usually on 0.0.0.0). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
