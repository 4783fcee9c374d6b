import type { JsonBody as Json, paths } from '@trellis/sdk';

/* The API's bodies the workflow and run commands read, named once from the generated types. */

export type WorkflowSummary = Json<paths['/studio/workflows']['get']['responses'][200]>['items'][number];
export type WorkflowView = Json<paths['/studio/workflows/{id}']['get']['responses'][200]>;
export type WorkflowProblem = WorkflowView['problems'][number];
export type WorkflowVersion = Json<paths['/studio/workflows/{id}/versions']['get']['responses'][200]>['items'][number];
export type RunnerDeployment = Json<paths['/runner/deployments']['get']['responses'][200]>['items'][number];
export type RunItem = Json<paths['/runner/runs']['get']['responses'][200]>['items'][number];
export type RunDetail = Json<paths['/runner/runs/{id}']['get']['responses'][200]>;
export type RunStep = RunDetail['steps'][number];
export type StepAttempt = RunStep['attempts'][number];
export type StepLogs = Json<paths['/runner/runs/{id}/steps/{step}/logs']['get']['responses'][200]>;
export type AttemptLogs = StepLogs['attempts'][number];
export type RunStarted = Json<paths['/runner/workflows/{id}/runs']['post']['responses'][202]>;
