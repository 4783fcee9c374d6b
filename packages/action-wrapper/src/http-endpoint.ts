import { createServer } from 'node:net';
import type { ActionDefinition, InjectedValue, IoDefinition } from '@trellis/action-manifest/definition';

/**
 * Where a trigger that serves HTTP listens: the port its server binds, and the URL path prefix
 * the platform routes to it. The wrapper hands them to the trigger as
 * - the inputs marked `injected` in the definition (`http_port`, `http_prefix`), typed as declared;
 * - for a Ryax trigger, also as Ryax does: the environment variable RYAX_SOURCE_PORT of the Python
 *   process and the input values `ryax_endpoint_port` (an integer) and `ryax_endpoint_prefix`,
 *   declared or not.
 */
export type HttpEndpoint = { readonly port: number; readonly prefix: string };

export const ryaxSourcePortVariable = 'RYAX_SOURCE_PORT';

type EndpointDefinition = Pick<ActionDefinition, 'id' | 'kind' | 'runtime' | 'source' | 'inputs'>;

/** A Ryax trigger, or an action with an injected input, gets an endpoint. */
export function needsHttpEndpoint(definition: EndpointDefinition): boolean {
  return isRyaxTrigger(definition) || definition.inputs.some((io) => io.injected !== undefined);
}

export function isRyaxTrigger(definition: Pick<ActionDefinition, 'kind' | 'source'>): boolean {
  return definition.source.format === 'ryax' && definition.kind === 'Trigger';
}

/** The prefix when the caller gives none: `/<action id>`. */
export function defaultHttpPrefix(definition: Pick<ActionDefinition, 'id'>): string {
  return `/${definition.id}`;
}

/** The value of an injected input, of its declared type (a port declared `string` is "8080"). */
export function injectedValueOf(io: IoDefinition, endpoint: HttpEndpoint): unknown {
  const raw: Record<InjectedValue, number | string> = { http_port: endpoint.port, http_prefix: endpoint.prefix };
  if (io.injected === undefined) return undefined;
  const value = raw[io.injected];
  return io.type === 'integer' ? Number(value) : String(value);
}

/** Ryax's `ryax_endpoint_*` values a Ryax trigger gets even when it does not declare them. */
export function ryaxEndpointInputs(definition: Pick<ActionDefinition, 'inputs'>, endpoint: HttpEndpoint): Record<string, unknown> {
  const extras: Record<string, unknown> = { ryax_endpoint_port: endpoint.port, ryax_endpoint_prefix: endpoint.prefix };
  for (const io of definition.inputs) delete extras[io.name];
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
