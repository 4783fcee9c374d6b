import { unwrap } from '@trellis/sdk';
import { Option } from 'commander';
import { CliError, EXIT } from '../../exit-codes.js';
import type { Session } from '../../session.js';
import { ROLES } from './api-types.js';

export type CurrentProject = { id: string; name: string | undefined };

const noProject = () => new CliError('no_project', 'no current project', { exitCode: EXIT.auth, hint: 'choose one with `trellis project use NAME`' });

/**
 * The project the session works in: an API key's own project, or the one a person's token was
 * issued for (the token says which; a bare access token has to ask).
 */
export async function currentProject(session: Session): Promise<CurrentProject> {
  const credentials = session.client.credentials();
  if (credentials?.kind === 'apiKey') {
    const project = await unwrap(session.client.GET('/studio/project'));
    return { id: project.id, name: project.name };
  }
  if (credentials?.kind === 'tokens') {
    const id = credentials.tokens.projectId;
    if (!id) throw noProject();
    return { id, name: session.context?.project?.id === id ? session.context.project.name : undefined };
  }
  const me = await unwrap(session.client.GET('/authorization/me'));
  if (!me.current_project) throw noProject();
  return { id: me.current_project.id, name: me.current_project.name };
}

/** `--role`, checked by commander against the roles the API knows. */
export function roleOption(description: string, byDefault: string): Option {
  return new Option('-r, --role <role>', description).choices(ROLES).default(byDefault);
}
