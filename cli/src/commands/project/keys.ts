import { unwrap, type TrellisClient } from '@trellis/sdk';
import { CliError, EXIT } from '../../exit-codes.js';
import { colors, note, printJson, printLine, printTable } from '../../output.js';
import type { Session } from '../../session.js';
import { allItems } from '../../pages.js';
import type { ApiKey, Role } from './api-types.js';
import { currentProject } from './current.js';

export type CreateOptions = { role: Role; expires?: string; json?: boolean };

async function listKeys(client: TrellisClient, projectId: string): Promise<ApiKey[]> {
  return allItems((cursor) => unwrap(client.GET('/authorization/projects/{projectId}/api-keys', {
    params: { path: { projectId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
  })));
}

function expiryOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const when = new Date(text);
  if (Number.isNaN(when.getTime())) throw new CliError('usage', `--expires takes a date and time (2027-01-31 or 2027-01-31T12:00:00Z), not "${text}"`, { exitCode: EXIT.usage });
  return when.toISOString();
}

function stateOf(key: ApiKey, now = Date.now()): string {
  if (key.revoked_at) return colors.dim('revoked');
  if (key.expires_at && Date.parse(key.expires_at) <= now) return colors.yellow('expired');
  return colors.green('active');
}

/** The key goes to stdout alone (`KEY=$(trellis key create ci)`); what to do with it goes to stderr. */
export async function createKey(session: Session, name: string, options: CreateOptions): Promise<void> {
  const project = await currentProject(session);
  const expiresAt = expiryOf(options.expires);
  const created = await unwrap(session.client.POST('/authorization/projects/{projectId}/api-keys', {
    params: { path: { projectId: project.id } }, body: { name, role: options.role, ...(expiresAt ? { expires_at: expiresAt } : {}) },
  }));
  note(`Created API key ${colors.bold(created.name)} (${created.role}, id ${created.id}) in project ${project.name ?? project.id}.`);
  note(colors.yellow('The key is shown this once: store it now. Use it as TRELLIS_API_KEY=<key>.'));
  if (options.json) return printJson(created);
  printLine(created.key);
}

export async function showKeyList(session: Session, options: { json?: boolean }): Promise<void> {
  const project = await currentProject(session);
  const keys = await listKeys(session.client, project.id);
  if (options.json) return printJson(keys);
  printTable(['name', 'prefix', 'role', 'state', 'created', 'expires', 'id'], keys.map((key) => [
    key.name, key.prefix, key.role, stateOf(key), key.created_at, key.expires_at ?? 'never', key.id,
  ]));
}

/** By id, or by name among the keys still in use (a name may repeat: then the id is needed). */
function findKey(keys: readonly ApiKey[], nameOrId: string): ApiKey {
  const byId = keys.find((key) => key.id === nameOrId);
  if (byId) return byId;
  const named = keys.filter((key) => key.name === nameOrId && !key.revoked_at);
  if (named.length > 1) throw new CliError('ambiguous_key', `${named.length} keys in use are named "${nameOrId}"`, { exitCode: EXIT.usage, hint: 'give the ID: `trellis key list` shows them' });
  const [key] = named;
  if (!key) throw new CliError('api_key_not_found', `no API key "${nameOrId}" in use in this project`, { exitCode: EXIT.notFound, hint: 'list them with `trellis key list`' });
  return key;
}

export async function revokeKey(session: Session, nameOrId: string, options: { json?: boolean }): Promise<void> {
  const project = await currentProject(session);
  const key = findKey(await listKeys(session.client, project.id), nameOrId);
  await unwrap(session.client.DELETE('/authorization/projects/{projectId}/api-keys/{keyId}', { params: { path: { projectId: project.id, keyId: key.id } } }));
  if (options.json) return printJson(key);
  printLine(`Revoked API key ${colors.bold(key.name)} (prefix ${key.prefix}): every service refuses it within moments`);
}
