import { serviceOpenApi } from '@trellis/platform/http/app';
import { inertDependencies } from '@trellis/platform/http/inert';
import { BASE_PATH, makeRoutes } from './routes.js';

/** The OpenAPI document authorization serves at `${BASE_PATH}/openapi.json`, made without starting it (`make openapi`). */
export function openApiDocument(version: string): ReturnType<typeof serviceOpenApi> {
  return serviceOpenApi({ service: 'authorization', version, basePath: BASE_PATH, routes: makeRoutes(inertDependencies('authorization\'s route dependencies')) });
}
