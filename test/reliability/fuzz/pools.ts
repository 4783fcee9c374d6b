/**
 * The fixture's ids by kind, for path parameters: the fuzzed project's own (`own`), another
 * project's (`other`, which must answer as unknown), and spares made to be changed or deleted
 * (`spare`), so no request destroys what the other requests need.
 */
export type PoolName =
  | 'user' | 'project' | 'apiKey' | 'action' | 'actionVersion' | 'variable' | 'secret' | 'workflow' | 'workflowVersion'
  | 'file' | 'source' | 'scan' | 'build' | 'run' | 'step' | 'output' | 'signal' | 'unknown';

export type Pool = { own: string[]; other: string[]; spare: string[] };
export type Pools = Record<PoolName, Pool>;

/** Which kind of id a path parameter names. */
export function poolOf(path: string, parameter: string): PoolName {
  if (parameter === 'userId') return 'user';
  if (parameter === 'projectId') return 'project';
  if (parameter === 'keyId') return 'apiKey';
  if (parameter === 'actionId') return 'action';
  if (parameter === 'version') return 'actionVersion';
  if (parameter === 'n') return 'workflowVersion';
  if (parameter === 'scanId') return 'scan';
  if (parameter === 'step') return 'step';
  if (parameter === 'workflowId') return 'workflow';
  if (parameter === 'name') return path.includes('/variables/') ? 'variable' : path.includes('/secrets/') ? 'secret' : path.includes('/signals/') ? 'signal' : 'output';
  if (parameter === 'id') {
    if (path.startsWith('/studio/workflows/') || path.startsWith('/runner/workflows/')) return 'workflow';
    if (path.startsWith('/studio/files/')) return 'file';
    if (path.startsWith('/repository/sources/')) return 'source';
    if (path.startsWith('/builder/builds/')) return 'build';
    if (path.startsWith('/runner/runs/')) return 'run';
  }
  return 'unknown';
}

/**
 * Operations that would take the fixture away (delete it, replace the deployed workflow, end a
 * member's role, rebuild every action): their real ids are spares only. Deleting the fuzzed
 * project or the admin cannot happen: the project routes' spare is a project of its own, and
 * the users' spares are users made for it.
 */
export const SPARE_ONLY: ReadonlySet<string> = new Set([
  'authorizationDeleteUser', 'authorizationUpdateUser', 'authorizationDeleteProject', 'authorizationChangeProjectMemberRole', 'authorizationRemoveProjectMember',
  'authorizationRevokeApiKey', 'studioDeleteActionVersion', 'studioDeleteVariable', 'studioDeleteSecret', 'studioDeleteWorkflow', 'studioReplaceWorkflow',
  'studioPatchWorkflow', 'studioDeployWorkflow', 'studioUndeployWorkflow', 'studioDeleteFile', 'repositoryDeleteSource', 'repositoryUpdateSource',
  'repositoryScanSource', 'repositoryBuildSource', 'repositoryCancelScan', 'actionBuilderCancelBuild', 'runnerDeleteRun', 'runnerScaleDeploymentToZero', 'runnerCancelRun',
]);

export function emptyPools(): Pools {
  const names: PoolName[] = ['user', 'project', 'apiKey', 'action', 'actionVersion', 'variable', 'secret', 'workflow', 'workflowVersion', 'file', 'source', 'scan', 'build', 'run', 'step', 'output', 'signal', 'unknown'];
  return Object.fromEntries(names.map((name) => [name, { own: [], other: [], spare: [] }])) as unknown as Pools;
}
