import type { JsonBody as Json, paths } from '@trellis/sdk';

/* The API's bodies these commands read, named once from the generated types. */

export type MyProject = Json<paths['/authorization/me/projects']['get']['responses'][200]>['items'][number];
export type Project = Json<paths['/authorization/projects']['get']['responses'][200]>['items'][number];
export type Member = Json<paths['/authorization/projects/{projectId}/members']['get']['responses'][200]>['items'][number];
export type ApiKey = Json<paths['/authorization/projects/{projectId}/api-keys']['get']['responses'][200]>['items'][number];
export type Role = Member['role'];

export const ROLES: readonly Role[] = ['viewer', 'operator', 'developer', 'owner'];
