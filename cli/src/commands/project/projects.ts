import { TrellisApiError, unwrap, type TrellisClient } from '@trellis/sdk';
import { updateContext } from '../../config.js';
import { CliError, EXIT } from '../../exit-codes.js';
import { colors, note, printJson, printLine, printTable } from '../../output.js';
import type { Session } from '../../session.js';
import { findMyProject } from '../auth.js';
import { allItems } from '../../pages.js';
import type { MyProject, Project } from './api-types.js';
import { currentProject } from './current.js';

export type ListOptions = { all?: boolean; json?: boolean };
export type CreateOptions = { title?: string; use?: boolean; timeout: string; json?: boolean };

async function myProjects(client: TrellisClient): Promise<MyProject[]> {
  return (await unwrap(client.GET('/authorization/me/projects'))).items;
}

async function everyProject(client: TrellisClient): Promise<Project[]> {
  try {
    return await allItems((cursor) => unwrap(client.GET('/authorization/projects', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } })));
  } catch (error) {
    if (error instanceof TrellisApiError && error.status === 403) {
      throw new CliError(error.code, 'only an administrator lists every project of the instance', { exitCode: EXIT.auth, hint: 'leave out --all to list yours' });
    }
    throw error;
  }
}

/** The current project's id, or undefined when there is none (a list still makes sense then). */
async function currentProjectId(session: Session): Promise<string | undefined> {
  try {
    return (await currentProject(session)).id;
  } catch (error) {
    if (error instanceof CliError && error.code === 'no_project') return undefined;
    throw error;
  }
}

export async function showProjectList(session: Session, options: ListOptions): Promise<void> {
  const mine = await myProjects(session.client);
  const projects: (Project | MyProject)[] = options.all ? await everyProject(session.client) : mine;
  if (options.json) return printJson(projects);
  const current = await currentProjectId(session);
  const roleIn = new Map(mine.map((project) => [project.id, project.role]));
  printTable(['', 'name', 'title', 'role', 'created', 'id'], projects.map((project) => [
    project.id === current ? colors.green('*') : '', project.name, project.title, roleIn.get(project.id) ?? '(not a member)', project.created_at, project.id,
  ]));
}

/** New tokens for the project, and the context remembers it as the current one. */
async function switchTo(session: Session, project: { id: string; name: string }): Promise<void> {
  const tokens = await session.client.switchProject(project.id);
  updateContext(session.contextName, (context) => ({ ...(context ?? { url: session.url }), tokens, project: { id: project.id, name: project.name } }));
}

function requireLogin(session: Session): void {
  const kind = session.client.credentials()?.kind;
  if (kind === 'tokens') return;
  const held = kind === 'apiKey' ? 'an API key works in its own project only' : 'TRELLIS_TOKEN stays in the project it was issued for';
  throw new CliError('user_token_required', `${held}: switching projects needs a person's login`, { exitCode: EXIT.auth, hint: 'run `trellis login` (and unset TRELLIS_API_KEY / TRELLIS_TOKEN)' });
}

export async function useProject(session: Session, nameOrId: string, options: { json?: boolean }): Promise<void> {
  requireLogin(session);
  const project = await findMyProject(session.client, nameOrId);
  await switchTo(session, project);
  if (options.json) return printJson(project);
  printLine(`Now in project ${colors.bold(project.name)} (${project.role})`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Authorization knows a project at once; the other services hear of it through an event, and
 * answer project_not_found until they have. Waits until each of them knows it (or the timeout).
 */
async function waitUntilKnown(client: TrellisClient, name: string, timeoutSeconds: number): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const probes = [() => client.GET('/studio/project'), () => client.GET('/repository/project'), () => client.GET('/builder/project'), () => client.GET('/runner/project')];
  note(colors.dim(`Waiting for the services to know project ${name}...`));
  for (const probe of probes) {
    for (;;) {
      try {
        await probe();
        break;
      } catch (error) {
        if (!(error instanceof TrellisApiError && error.code === 'project_not_found')) throw error;
        if (Date.now() > deadline) return false;
        await sleep(250);
      }
    }
  }
  return true;
}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new CliError('usage', `--timeout takes a number of seconds, not "${text}"`, { exitCode: EXIT.usage });
  return value;
}

export async function createProject(session: Session, name: string, options: CreateOptions): Promise<void> {
  const timeout = seconds(options.timeout);
  if (options.use) requireLogin(session);
  const project = await unwrap(session.client.POST('/authorization/projects', { body: { name, ...(options.title ? { title: options.title } : {}) } }));
  if (options.use) {
    await switchTo(session, project);
    const known = await waitUntilKnown(session.client, project.name, timeout);
    if (!known) note(`trellis: project ${project.name} is created and current, but some services did not know it after ${timeout} s: they answer project_not_found for a little longer`);
  }
  if (options.json) return printJson(project);
  printLine(`Created project ${colors.bold(project.name)} (${project.id})${options.use ? ': it is your current project' : ''}`);
  if (!options.use) printLine(`Work in it: ${colors.bold(`trellis project use ${project.name}`)}`);
}
