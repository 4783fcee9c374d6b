import type { Command } from 'commander';
import type { CommandGroup } from '../program.js';
import { withJson } from '../program.js';
import { openSession } from '../session.js';
import { downloadOutput } from './run/download.js';
import { collect } from './run/inputs.js';
import { showLogs, type LogsOptions } from './run/logs.js';
import { showRun, showRunList, type RunListOptions } from './run/show.js';
import { cancelRun, rerunRun, startRun, type RerunOptions, type StartOptions } from './run/start.js';

type JsonOption = { json?: boolean };

/** `trellis run ...`: start runs of deployed workflows, follow them, read their steps, logs and outputs. */
export const registerRunCommands: CommandGroup = (program: Command, globals) => {
  const client = () => openSession(globals()).client;
  const run = program.command('run').description('runs: start, list, show, logs, cancel, rerun, download outputs');

  withJson(run.command('start <workflow>').description('start a run of a deployed workflow (manual or HTTP trigger) with its inputs'))
    .option('-i, --input <name=value>', 'a trigger input: VALUE as JSON when it is JSON, else as text; NAME=@FILE reads it from a file (repeatable)', collect, [])
    .option('-f, --file <name=path>', 'a file (or directory archive) input: the file is uploaded as it is (repeatable)', collect, [])
    .option('-w, --wait', 'show each step\'s progress, then the results (exit 1 if the run fails)')
    .option('--timeout <seconds>', 'how long --wait waits', '600')
    .action((workflow: string, options: StartOptions) => startRun(client(), workflow, options));

  withJson(run.command('list').description('the project\'s runs, newest first'))
    .option('--workflow <name>', 'only the runs of this workflow (name or id)')
    .option('--status <status>', 'only runs in this status: queued, running, succeeded, failed, canceled')
    .option('--limit <n>', 'at most this many runs', '20')
    .option('-q, --quiet', 'only the runs\' ids, one a line')
    .action((options: RunListOptions) => showRunList(client(), options));

  withJson(run.command('show <id>').description('a run: its steps as a tree (attempts, foreach items, timings), results and error'))
    .action((id: string, options: JsonOption) => showRun(client(), id, options));

  withJson(run.command('logs <id>').description('what the steps wrote (each line prefixed by its step when there are several)'))
    .option('--step <step>', 'only this step (a foreach item: step[index])')
    .option('-f, --follow', 'follow the logs live until the run (or the step) ends; with --json, one JSON event per line')
    .action((id: string, options: LogsOptions) => showLogs(client(), id, options));

  withJson(run.command('cancel <id>').description('cancel a run: its running calls are aborted and it ends canceled'))
    .action((id: string, options: JsonOption) => cancelRun(client(), id, options));

  withJson(run.command('rerun <id>').description('run a finished run again, as a new run linked to it'))
    .option('--from-failed', 'reuse the outputs of the steps that succeeded and run the rest (the workflow must still serve the run\'s version)')
    .option('-w, --wait', 'follow the new run (exit 1 if it fails)')
    .option('--timeout <seconds>', 'how long --wait waits', '600')
    .action((id: string, options: RerunOptions) => rerunRun(client(), id, options));

  run.command('download <id> <step> <output>').description('a step\'s output: a file is saved (under its own name, or -o), a value printed (or saved to -o)')
    .option('-o, --output <file>', 'where to write it (- for stdout)')
    .action((id: string, step: string, output: string, options: { output?: string }) => downloadOutput(client(), id, step, output, options));
};
