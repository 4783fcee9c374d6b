import type { Command } from 'commander';
import type { CommandGroup } from '../program.js';
import { withJson } from '../program.js';
import { openSession } from '../session.js';
import { buildSource, type BuildOptions } from './repo/build.js';
import { scanSource, type ScanOptions } from './repo/scan.js';
import { addSource, deleteSource, showSource, showSourceList, type AddOptions } from './repo/sources.js';

type JsonOption = { json?: boolean };

/** `trellis repo ...`: the project's git sources, their scans and the builds of their actions. */
export const registerRepoCommands: CommandGroup = (program: Command, globals) => {
  const client = () => openSession(globals()).client;
  const repo = program.command('repo').description('git repositories of actions: add, scan, build');

  withJson(repo.command('add <name> <url>').description('add a git repository (https://, http://, or file:///path) to the project'))
    .option('-b, --branch <branch>', 'the branch to scan (default: the remote\'s default branch)')
    .option('-u, --username <name>', 'the username of the credentials (default "git" with a token)')
    .option('--password-stdin', 'read the password or access token from stdin (stored sealed, never shown again)')
    .action((name: string, url: string, options: AddOptions) => addSource(client(), name, url, options));

  withJson(repo.command('list').description('the project\'s repositories with their last scan'))
    .action((options: JsonOption) => showSourceList(client(), options));

  withJson(repo.command('show <name>').description('a repository, its last scan, the actions found and every problem with file:line'))
    .action((name: string, options: JsonOption) => showSource(client(), name, options));

  withJson(repo.command('scan <name>').description('scan the repository for actions and problems'))
    .option('-w, --wait', 'follow the scan and show what it found (exit 1 if it failed)')
    .option('--timeout <seconds>', 'how long --wait waits', '300')
    .action((name: string, options: ScanOptions) => scanSource(client(), name, options));

  withJson(repo.command('build <name>').description('build every action the last scan found'))
    .option('-w, --wait', 'follow each build; print the log of a failed one (exit 1)')
    .option('--timeout <seconds>', 'how long --wait waits', '900')
    .action((name: string, options: BuildOptions) => buildSource(client(), name, options));

  withJson(repo.command('delete <name>').description('delete the repository with its scans and build records'))
    .action((name: string, options: JsonOption) => deleteSource(client(), name, options));
};
