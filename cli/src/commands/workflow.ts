import type { Command } from 'commander';
import type { CommandGroup } from '../program.js';
import { withJson } from '../program.js';
import { openSession } from '../session.js';
import { deployWorkflow, undeployWorkflow, type DeployOptions, type UndeployOptions } from './workflow/deploy.js';
import { exportWorkflow, importFile, validateFile, type ExportOptions } from './workflow/documents.js';
import { showWorkflow, showWorkflowList, type ListOptions } from './workflow/show.js';

type JsonOption = { json?: boolean };

/** `trellis workflow ...`: the project's workflows in studio, as YAML files in and out, and their deployment. */
export const registerWorkflowCommands: CommandGroup = (program: Command, globals) => {
  const client = () => openSession(globals()).client;
  const workflow = program.command('workflow').description('workflows: import and export YAML, validate, deploy');

  withJson(workflow.command('list').description('the project\'s workflows with their trigger and deployment'))
    .option('-s, --search <text>', 'only workflows whose name, title or description holds the text')
    .option('--status <status>', 'only this deployment status: deploying, deployed, failed, undeploying, undeployed, none')
    .action((options: ListOptions) => showWorkflowList(client(), options));

  withJson(workflow.command('show <name>').description('a workflow: trigger, steps, problems, versions, deployment'))
    .action((name: string, options: JsonOption) => showWorkflow(client(), name, options));

  withJson(workflow.command('import <file>').description('import a YAML file: a new workflow, or the next draft of the workflow of its name; prints its problems as file:line:col code message (exit 1)'))
    .action((file: string, options: JsonOption) => importFile(client(), file, options));

  workflow.command('export <name>').description('the draft (or a version) as YAML, on stdout or to a file')
    .option('--version <n>', 'a frozen version instead of the draft')
    .option('-o, --output <file>', 'write it to this file')
    .action((name: string, options: ExportOptions) => exportWorkflow(client(), name, options));

  withJson(workflow.command('validate <file>').description('check a YAML file against the project without saving it: each problem as file:line:col code message (exit 1)'))
    .action((file: string, options: JsonOption) => validateFile(client(), file, options));

  withJson(workflow.command('deploy <name>').description('deploy the draft (frozen as a new version) or, with --version, an existing version'))
    .option('--version <n>', 'deploy this existing version again (a rollback)')
    .option('-w, --wait', 'wait until the runner serves it (exit 1 with the reason if the deployment fails)')
    .option('--timeout <seconds>', 'how long --wait waits', '120')
    .action((name: string, options: DeployOptions) => {
      const session = openSession(globals());
      return deployWorkflow(session.client, name, options, session.url);
    });

  withJson(workflow.command('undeploy <name>').description('stop serving the workflow: runs in flight finish (or, with --immediate, are canceled)'))
    .option('--immediate', 'cancel the runs in flight')
    .option('-w, --wait', 'wait until it is undeployed')
    .option('--timeout <seconds>', 'how long --wait waits', '120')
    .action((name: string, options: UndeployOptions) => undeployWorkflow(client(), name, options));
};
