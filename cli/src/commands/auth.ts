import type { Command } from 'commander';
import { unwrap, type TrellisClient } from '@trellis/sdk';
import { readConfig, updateContext } from '../config.js';
import { CliError, EXIT } from '../exit-codes.js';
import { colors, printFields, printJson, printLine } from '../output.js';
import type { CommandGroup } from '../program.js';
import { withJson } from '../program.js';
import { askLine, askSecret, readStdin } from '../prompt.js';
import { DEFAULT_URL, contextNameOf, openSession } from '../session.js';

type LoginOptions = { username?: string; passwordStdin?: boolean; project?: string; json?: boolean };

async function myProjects(client: TrellisClient) {
  return (await unwrap(client.GET('/authorization/me/projects'))).items;
}

/** A project of yours by name or id. */
export async function findMyProject(client: TrellisClient, nameOrId: string) {
  const projects = await myProjects(client);
  const project = projects.find((candidate) => candidate.id === nameOrId || candidate.name === nameOrId);
  if (!project) {
    throw new CliError('project_not_found', `no project "${nameOrId}" among yours`, { exitCode: EXIT.notFound, hint: 'list yours with `trellis project list`' });
  }
  return project;
}

async function login(url: string | undefined, options: LoginOptions, globals: ReturnType<Parameters<CommandGroup>[1]>): Promise<void> {
  const contextName = contextNameOf(globals);
  const saved = readConfig().contexts[contextName];
  const target = (url ?? globals.url ?? process.env['TRELLIS_URL'] ?? saved?.url ?? DEFAULT_URL).replace(/\/+$/, '');
  const username = options.username ?? (await askLine(`Username${saved?.username ? ` [${saved.username}]` : ''}: `, 'give it with --username')) ?? '';
  const chosen = username || saved?.username;
  if (!chosen) throw new CliError('usage', 'a username is needed', { exitCode: EXIT.usage, hint: 'give it with --username' });
  const password = options.passwordStdin ? await readStdin() : await askSecret('Password', 'pipe it with --password-stdin');
  const { client } = openSession({ ...globals, url: target }, { requireCredentials: false }, {});
  let tokens = await client.login(chosen, password);
  if (options.project) tokens = await client.switchProject((await findMyProject(client, options.project)).id);
  const project = tokens.projectId ? (await myProjects(client)).find((candidate) => candidate.id === tokens.projectId) : undefined;
  updateContext(contextName, () => ({ url: target, username: chosen, tokens, ...(project ? { project: { id: project.id, name: project.name } } : {}) }));
  if (options.json) {
    printJson({ context: contextName, url: target, username: chosen, project: project ?? null });
    return;
  }
  printLine(`Logged in to ${target} as ${colors.bold(chosen)}${project ? ` (project ${colors.bold(project.name)})` : ' (no project yet: `trellis project create NAME`)'}`);
}

async function whoami(options: { json?: boolean }, globals: ReturnType<Parameters<CommandGroup>[1]>): Promise<void> {
  const session = openSession(globals);
  const credentials = session.client.credentials();
  if (credentials?.kind === 'apiKey') {
    const project = await unwrap(session.client.GET('/studio/project'));
    if (options.json) return printJson({ kind: 'api_key', url: session.url, project });
    return printFields([['url', session.url], ['as', 'a project API key'], ['project', `${project.name} (${project.id})`]]);
  }
  const me = await unwrap(session.client.GET('/authorization/me'));
  if (options.json) return printJson({ ...me, url: session.url, context: session.contextName });
  const project = me.current_project;
  printFields([
    ['url', session.url], ['context', session.contextName], ['user', `${me.user.username}${me.user.is_admin ? ' (administrator)' : ''}`],
    ['project', project ? `${project.name} (${project.role})` : '-'],
  ]);
}

async function logout(globals: ReturnType<Parameters<CommandGroup>[1]>): Promise<void> {
  const session = openSession(globals, { requireCredentials: false });
  if (session.context?.tokens) await session.client.logout();
  updateContext(session.contextName, (context) => {
    if (!context) return undefined;
    const { tokens: _tokens, apiKey: _apiKey, ...rest } = context;
    return rest;
  });
  printLine(`Logged out of ${session.url}`);
}

export const registerAuthCommands: CommandGroup = (program: Command, globals) => {
  withJson(program.command('login [url]').description('log in to a Trellis instance (default: the context\'s URL, or http://localhost:8080)'))
    .option('-u, --username <name>', 'your username (asked when not given)')
    .option('--password-stdin', 'read the password from stdin instead of asking for it')
    .option('-p, --project <name>', 'the project to work in (default: your first)')
    .action((url: string | undefined, options: LoginOptions) => login(url, options, globals()));
  program.command('logout').description('revoke your session and forget its tokens').action(() => logout(globals()));
  withJson(program.command('whoami').description('who you are, where, and in which project')).action((options: { json?: boolean }) => whoami(options, globals()));
};
