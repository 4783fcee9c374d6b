import type { Command } from 'commander';
import type { CommandGroup } from '../program.js';
import { withJson } from '../program.js';
import { openSession } from '../session.js';
import { roleOption } from './project/current.js';
import { createKey, revokeKey, showKeyList, type CreateOptions as KeyOptions } from './project/keys.js';
import { addMember, removeMember, showMemberList, type AddOptions } from './project/members.js';
import { createProject, showProjectList, useProject, type CreateOptions, type ListOptions } from './project/projects.js';

type JsonOption = { json?: boolean };

/** `trellis project|member|key ...`: your projects, the current one's members and its API keys. */
export const registerProjectCommands: CommandGroup = (program: Command, globals) => {
  const session = () => openSession(globals());

  const project = program.command('project').description('your projects: list, switch, create');
  withJson(project.command('list').description('your projects and your role in each (* marks the current one)'))
    .option('-a, --all', 'every project of the instance (administrators)')
    .action((options: ListOptions) => showProjectList(session(), options));
  withJson(project.command('use <name>').description('work in another of your projects (saved in the context)'))
    .action((name: string, options: JsonOption) => useProject(session(), name, options));
  withJson(project.command('create <name>').description('create a project, you its owner (administrators)'))
    .option('-t, --title <title>', 'what people read (the name is a permanent lowercase slug)')
    .option('--use', 'switch to it, and wait until every service knows it')
    .option('--timeout <seconds>', 'how long --use waits for the services', '30')
    .action((name: string, options: CreateOptions) => createProject(session(), name, options));

  const member = program.command('member').description('the current project\'s members: list, add, remove');
  withJson(member.command('list').description('the members and their roles'))
    .action((options: JsonOption) => showMemberList(session(), options));
  withJson(member.command('add <username>').description('add a user (by username or id) to the project'))
    .addOption(roleOption('what they may do: viewer reads, operator runs, developer changes, owner administers', 'viewer'))
    .action((username: string, options: AddOptions) => addMember(session(), username, options));
  withJson(member.command('remove <username>').description('remove a member from the project'))
    .action((username: string, options: JsonOption) => removeMember(session(), username, options));

  const key = program.command('key').description('the current project\'s API keys: create, list, revoke (owners)');
  withJson(key.command('create <name>').description('create an API key: it is printed once, store it then'))
    .addOption(roleOption('what the key may do in the project', 'viewer'))
    .option('--expires <date>', 'when it stops working (an ISO date; default: never)')
    .action((name: string, options: KeyOptions) => createKey(session(), name, options));
  withJson(key.command('list').description('the keys, newest first, with their state (never their secrets)'))
    .action((options: JsonOption) => showKeyList(session(), options));
  withJson(key.command('revoke <key>').description('revoke a key, by name or id: every service refuses it soon after'))
    .action((nameOrId: string, options: JsonOption) => revokeKey(session(), nameOrId, options));
};
