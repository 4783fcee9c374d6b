import { inertDependencies } from '@trellis/platform/http/inert';
import { tenantServiceOpenApi } from '@trellis/platform/tenancy/tenant-service';
import { SERVICE } from '../rabbitmq/topology.js';
import { BASE_PATH, makeRoutes } from './routes.js';

/** How the runner names itself over HTTP: its base path, operation ids and the title its messages use. */
export const HTTP_IDENTITY = { service: SERVICE, title: 'the runner', operationPrefix: 'runner', basePath: BASE_PATH } as const;

/** The largest form a manual run takes, as the document states it (TRELLIS_USER_API_MAX_UPLOAD_BYTES's default). */
const DOCUMENTED_MAX_UPLOAD_BYTES = 1024 ** 3;

/** The OpenAPI document the runner serves at `${BASE_PATH}/openapi.json`, made without starting it (`make openapi`). */
export function openApiDocument(version: string): ReturnType<typeof tenantServiceOpenApi> {
  type Deps = Parameters<typeof makeRoutes>[0];
  const inert = inertDependencies<Deps>('the runner\'s route dependencies');
  // The upload limit is written into the document, so it must be a real number.
  const runs = new Proxy(inert.runs as NonNullable<Deps['runs']>, {
    get: (target, key) => (key === 'uploads' ? { store: inertDependencies('the manual runs\' object store'), objects: inertDependencies('the manual runs\' run objects'), maxBytes: DOCUMENTED_MAX_UPLOAD_BYTES } : Reflect.get(target, key)),
  });
  const deps = new Proxy(inert, { get: (target, key) => (key === 'runs' ? runs : Reflect.get(target, key)) });
  return tenantServiceOpenApi({ ...HTTP_IDENTITY, version, routes: makeRoutes(deps) });
}
