import { TrellisApiError, unwrap, type TrellisClient } from '@trellis/sdk';
import { CliError } from '../../exit-codes.js';
import { colors, printJson, printLine } from '../../output.js';
import { allItems } from '../../pages.js';
import type { RunnerDeployment, WorkflowView } from './api-types.js';
import { findWorkflow, rethrowWorkflowNotFound } from './find.js';
import { makeProgress, type Progress } from '../../progress.js';
import { POLL_MS, sleep, timedOut, timeoutMs } from '../../wait.js';

export type DeployOptions = { version?: string; wait?: boolean; timeout: string; json?: boolean };
export type UndeployOptions = { immediate?: boolean; wait?: boolean; timeout: string; json?: boolean };


async function runnerDeployment(client: TrellisClient, workflowId: string): Promise<RunnerDeployment | undefined> {
  const deployments = await allItems((cursor) => unwrap(client.GET('/runner/deployments', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } })));
  return deployments.find((deployment) => deployment.workflow_id === workflowId);
}

const readWorkflow = (client: TrellisClient, id: string) => unwrap(client.GET('/studio/workflows/{id}', { params: { path: { id } } }));

/**
 * Studio says `deployed` once the runner has answered; the runner's own listing (`active`,
 * serving the version) is what a run or an HTTP call meets, so the wait ends when both agree.
 */
async function waitUntilServed(client: TrellisClient, workflow: WorkflowView, progress: Progress, limitMs: number): Promise<{ studio: WorkflowView; runner: RunnerDeployment }> {
  const version = workflow.deployment?.version;
  const label = `${workflow.name} v${version}`;
  const end = Date.now() + limitMs;
  for (;;) {
    const studio = await readWorkflow(client, workflow.id);
    const deployment = studio.deployment;
    if (deployment?.status === 'failed' && deployment.version === version) {
      progress.update(label, 'failed', true);
      throw new CliError('deploy_failed', `${workflow.name} v${version} failed to deploy: ${deployment.reason ?? 'no reason given'}`, { hint: `see \`trellis workflow show ${workflow.name}\`` });
    }
    const runner = deployment?.status === 'deployed' ? await runnerDeployment(client, workflow.id) : undefined;
    if (runner?.status === 'active' && runner.serving_version === version) {
      progress.update(label, 'ready', true);
      return { studio, runner };
    }
    progress.update(label, runner ? `runner ${runner.status}` : deployment?.status ?? 'requested');
    if (Date.now() > end) throw timedOut(`${label} not ready`, limitMs);
    await sleep(POLL_MS);
  }
}

/** `baseUrl`: where the CLI reaches Trellis, to say where a deployed HTTP trigger answers. */
export async function deployWorkflow(client: TrellisClient, nameOrId: string, options: DeployOptions, baseUrl?: string): Promise<void> {
  const limit = timeoutMs(options.timeout);
  const { id, name } = await findWorkflow(client, nameOrId);
  const body = options.version ? { version: Number(options.version) } : {};
  const requested = await unwrap(client.POST('/studio/workflows/{id}/deploy', { params: { path: { id } }, body })).catch((error: unknown) => {
    if (error instanceof TrellisApiError && error.code === 'workflow_invalid') {
      for (const problem of error.errors) printLine(`${name}:${problem.path || '(document)'} ${problem.code ?? 'invalid'} ${problem.message}`);
      throw new CliError('workflow_invalid', `${name} has ${error.errors.length} problem(s) and cannot be deployed`, { hint: `fix the file and \`trellis workflow import\` it again` });
    }
    return rethrowWorkflowNotFound(nameOrId)(error);
  });
  if (!options.wait) {
    if (options.json) return printJson(requested);
    printLine(`Deploying ${colors.bold(name)} v${requested.deployment?.version} (follow it with \`trellis workflow show ${name}\`, or deploy with --wait)`);
    return;
  }
  const progress = makeProgress();
  try {
    const { studio, runner } = await waitUntilServed(client, requested, progress, limit);
    progress.stop();
    if (options.json) return printJson(studio);
    const where = runner.trigger === 'http' && runner.http_path ? `, answering HTTP at ${await triggerUrl(client, runner.http_path, baseUrl)}` : '';
    printLine(`Deployed ${colors.bold(name)} v${runner.serving_version}${where}`);
  } finally {
    progress.stop();
  }
}

async function triggerUrl(client: TrellisClient, httpPath: string, baseUrl = ''): Promise<string> {
  const project = await unwrap(client.GET('/studio/project'));
  return `${baseUrl.replace(/\/+$/, '')}/user-api/${encodeURIComponent(project.name)}/${httpPath}`;
}

export async function undeployWorkflow(client: TrellisClient, nameOrId: string, options: UndeployOptions): Promise<void> {
  const limit = timeoutMs(options.timeout);
  const { id, name } = await findWorkflow(client, nameOrId);
  let workflow = await unwrap(client.POST('/studio/workflows/{id}/undeploy', { params: { path: { id } }, body: { mode: options.immediate ? 'immediate' : 'graceful' } }))
    .catch(rethrowWorkflowNotFound(nameOrId));
  if (options.wait) {
    const progress = makeProgress();
    const end = Date.now() + limit;
    try {
      while (workflow.deployment?.status === 'undeploying') {
        progress.update(name, 'undeploying');
        if (Date.now() > end) throw timedOut(`${name} still undeploying`, limit);
        await sleep(POLL_MS);
        workflow = await readWorkflow(client, id);
      }
      progress.update(name, workflow.deployment?.status ?? 'undeployed', true);
    } finally {
      progress.stop();
    }
  }
  if (options.json) return printJson(workflow);
  printLine(`${workflow.deployment?.status === 'undeployed' ? 'Undeployed' : 'Undeploying'} ${colors.bold(name)}${options.immediate ? ' (runs in flight canceled)' : ''}`);
}
