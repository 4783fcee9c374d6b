/**
 * Who may call each operation, written down here independently of the services' own
 * declarations. An operation that a service's OpenAPI document lists and this table does not
 * fails the test, so a new route is covered the day it is added.
 *  - public: anyone; user: any person's token (not an API key); admin: instance admins;
 *  - a role: that role or above in the project (token or API key);
 *  - member:<role>: the same, and instance admins whatever their project (member management).
 */
export type Expectation = 'public' | 'user' | 'admin' | 'viewer' | 'operator' | 'developer' | 'owner' | 'member:viewer' | 'member:owner';

export const MATRIX: Record<string, Expectation> = {
  authorizationLogin: 'public', authorizationRefreshToken: 'public', authorizationJwks: 'public',
  authorizationSwitchProject: 'user', authorizationLogout: 'user',
  authorizationGetMe: 'user', authorizationUpdateMe: 'user', authorizationChangeMyPassword: 'user', authorizationListMyProjects: 'user',
  authorizationListUsers: 'admin', authorizationCreateUser: 'admin', authorizationGetUser: 'admin', authorizationUpdateUser: 'admin', authorizationDeleteUser: 'admin',
  authorizationListProjects: 'admin', authorizationCreateProject: 'admin', authorizationGetProject: 'admin', authorizationRenameProject: 'admin',
  authorizationDeleteProject: 'admin', authorizationListAuditEvents: 'admin',
  authorizationListProjectMembers: 'member:viewer', authorizationAddProjectMember: 'member:owner',
  authorizationChangeProjectMemberRole: 'member:owner', authorizationRemoveProjectMember: 'member:owner',
  authorizationListApiKeys: 'owner', authorizationCreateApiKey: 'owner', authorizationRevokeApiKey: 'owner',
  studioGetProject: 'viewer', repositoryGetProject: 'viewer', actionBuilderGetProject: 'viewer', runnerGetProject: 'viewer',
  runnerListDeployments: 'viewer', runnerScaleDeploymentToZero: 'developer',
  runnerListRuns: 'viewer', runnerGetRun: 'viewer', runnerGetStepLogs: 'viewer', runnerGetStepOutput: 'viewer', runnerGetRunResult: 'viewer',
  runnerCancelRun: 'operator', runnerStartRun: 'operator', runnerRerun: 'operator', runnerSignalRun: 'operator', runnerGetStepReplay: 'developer', runnerDeleteRun: 'developer', runnerGetSettings: 'owner', runnerPutSettings: 'owner',
  runnerGetWebhookSecret: 'developer', runnerRotateWebhookSecret: 'developer', runnerRedeliverWebhook: 'operator',
  repositoryListSources: 'viewer', repositoryGetSource: 'viewer', repositoryListScans: 'viewer', repositoryGetScan: 'viewer',
  repositoryCreateSource: 'developer', repositoryUpdateSource: 'developer', repositoryDeleteSource: 'developer',
  repositoryScanSource: 'developer', repositoryCancelScan: 'developer', repositoryBuildSource: 'developer',
  actionBuilderListBuilds: 'viewer', actionBuilderGetBuild: 'viewer', actionBuilderGetBuildLogs: 'viewer', actionBuilderCancelBuild: 'developer',
  studioListActions: 'viewer', studioGetAction: 'viewer', studioGetActionVersion: 'viewer', studioDeleteActionVersion: 'developer',
  studioGetActionLogo: 'viewer', studioGetActionVersionLogo: 'viewer',
  studioListWorkflows: 'viewer', studioGetWorkflow: 'viewer', studioExportWorkflow: 'viewer', studioGetWorkflowProblems: 'viewer',
  studioValidateWorkflow: 'viewer', studioListWorkflowVersions: 'viewer', studioGetWorkflowVersion: 'viewer',
  studioCreateWorkflow: 'developer', studioReplaceWorkflow: 'developer', studioPatchWorkflow: 'developer', studioDeleteWorkflow: 'developer',
  studioImportWorkflow: 'developer', studioDeployWorkflow: 'operator', studioUndeployWorkflow: 'operator',
  studioListVariables: 'viewer', studioGetVariable: 'viewer', studioSetVariable: 'developer', studioDeleteVariable: 'developer',
  studioListSecrets: 'viewer', studioGetSecret: 'viewer', studioSetSecret: 'developer', studioDeleteSecret: 'developer',
  studioListFiles: 'viewer', studioGetFile: 'viewer', studioGetFileContent: 'viewer', studioUploadFile: 'developer', studioDeleteFile: 'developer',
  ...Object.fromEntries(['authorization', 'studio', 'repository', 'actionBuilder', 'runner'].flatMap((service) =>
    ['Health', 'Ready', 'Metrics', 'OpenApi'].map((name) => [`${service}${name}`, 'public' as const]))),
};
