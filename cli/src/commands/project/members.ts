import { TrellisApiError, unwrap, type TrellisClient } from '@trellis/sdk';
import { CliError, EXIT } from '../../exit-codes.js';
import { colors, printJson, printLine, printTable } from '../../output.js';
import type { Session } from '../../session.js';
import { allItems } from '../../pages.js';
import type { Member, Role } from './api-types.js';
import { currentProject, type CurrentProject } from './current.js';

export type AddOptions = { role: Role; json?: boolean };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const nameOf = (project: CurrentProject) => project.name ?? project.id;

async function listMembers(client: TrellisClient, projectId: string): Promise<Member[]> {
  return allItems((cursor) => unwrap(client.GET('/authorization/projects/{projectId}/members', {
    params: { path: { projectId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
  })));
}

export async function showMemberList(session: Session, options: { json?: boolean }): Promise<void> {
  const project = await currentProject(session);
  const members = await listMembers(session.client, project.id);
  if (options.json) return printJson(members);
  printTable(['username', 'name', 'role', 'since'], members.map((member) => [member.username, member.display_name, member.role, member.created_at]));
}

/** The API takes a username or a user id: the CLI passes on what it was given. */
export async function addMember(session: Session, user: string, options: AddOptions): Promise<void> {
  const project = await currentProject(session);
  const who = UUID.test(user) ? { user_id: user } : { username: user };
  const member = await unwrap(session.client.POST('/authorization/projects/{projectId}/members', {
    params: { path: { projectId: project.id } }, body: { ...who, role: options.role },
  })).catch((error: unknown) => {
    if (error instanceof TrellisApiError && error.code === 'user_not_found') {
      throw new CliError('user_not_found', `no user "${user}" on this instance`, { exitCode: EXIT.notFound, hint: 'check the username; an administrator creates accounts' });
    }
    throw error;
  });
  if (options.json) return printJson(member);
  printLine(`Added ${colors.bold(user)} to project ${colors.bold(nameOf(project))} as ${member.role}`);
}

export async function removeMember(session: Session, user: string, options: { json?: boolean }): Promise<void> {
  const project = await currentProject(session);
  const member = (await listMembers(session.client, project.id)).find((candidate) => candidate.username === user || candidate.user_id === user);
  if (!member) throw new CliError('member_not_found', `no member "${user}" in project ${nameOf(project)}`, { exitCode: EXIT.notFound, hint: 'list them with `trellis member list`' });
  await unwrap(session.client.DELETE('/authorization/projects/{projectId}/members/{userId}', { params: { path: { projectId: project.id, userId: member.user_id } } }));
  if (options.json) return printJson(member);
  printLine(`Removed ${colors.bold(member.username)} from project ${colors.bold(nameOf(project))}`);
}
