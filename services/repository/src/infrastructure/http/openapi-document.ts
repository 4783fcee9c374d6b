import { inertDependencies } from '@trellis/platform/http/inert';
import { tenantServiceOpenApi } from '@trellis/platform/tenancy/tenant-service';
import { SERVICE } from '../rabbitmq/topology.js';
import { BASE_PATH, makeRoutes } from './routes.js';

/** How the repository names itself over HTTP: its base path, operation ids and the title its messages use. */
export const HTTP_IDENTITY = { service: SERVICE, title: 'the repository', operationPrefix: 'repository', basePath: BASE_PATH } as const;

/** The OpenAPI document the repository serves at `${BASE_PATH}/openapi.json`, made without starting it (`make openapi`). */
export function openApiDocument(version: string): ReturnType<typeof tenantServiceOpenApi> {
  return tenantServiceOpenApi({ ...HTTP_IDENTITY, version, routes: makeRoutes(inertDependencies('the repository\'s route dependencies')) });
}
