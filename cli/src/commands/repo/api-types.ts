import type { JsonBody as Json, paths } from '@trellis/sdk';

/* The API's bodies these commands read, named once from the generated types. */

export type SourceItem = Json<paths['/repository/sources']['get']['responses'][200]>['items'][number];
export type SourceDetail = Json<paths['/repository/sources/{id}']['get']['responses'][200]>;
export type ScanDetail = Json<paths['/repository/sources/{id}/scans/{scanId}']['get']['responses'][200]>;
export type ScannedAction = ScanDetail['actions'][number];
export type ScanProblem = ScanDetail['problems'][number];
export type BuildRequest = Json<paths['/repository/sources/{id}/build']['post']['responses'][202]>;
export type BuilderBuild = Json<paths['/builder/builds/{id}']['get']['responses'][200]>;
