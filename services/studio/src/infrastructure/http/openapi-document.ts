import { inertDependencies } from '@trellis/platform/http/inert';
import { tenantServiceOpenApi } from '@trellis/platform/tenancy/tenant-service';
import { DEFAULT_UPLOAD_MAX_BYTES } from '../config.js';
import { SERVICE } from '../rabbitmq/topology.js';
import { BASE_PATH, makeRoutes } from './routes.js';

/** How studio names itself over HTTP: its base path, operation ids and the title its messages use. */
export const HTTP_IDENTITY = { service: SERVICE, title: 'studio', operationPrefix: 'studio', basePath: BASE_PATH } as const;

const inert = <T>(name: string): T => inertDependencies<T>(`studio's ${name}`);

/** The OpenAPI document studio serves at `${BASE_PATH}/openapi.json`, made without starting it (`make openapi`). */
export function openApiDocument(version: string): ReturnType<typeof tenantServiceOpenApi> {
  return tenantServiceOpenApi({ ...HTTP_IDENTITY, version, routes: makeRoutes({
    queries: inert('queries'), deleteActionVersion: inert('deleteActionVersion'), projectValues: inert('projectValues'), workflows: inert('workflows'),
    files: { useCases: inert('files.useCases'), queries: inert('files.queries'), store: inert('files.store'), maxBytes: DEFAULT_UPLOAD_MAX_BYTES },
  }) });
}
