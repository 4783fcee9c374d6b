import { unwrap, type TrellisClient } from '@trellis/sdk';
import { CliError, EXIT } from '../../exit-codes.js';
import { colorStatus, colors, printFields, printJson, printLine, printTable } from '../../output.js';
import { readStdin } from '../../prompt.js';
import type { SourceItem } from './api-types.js';
import { allItems } from '../../pages.js';
import { printScan } from './scan-output.js';

export type AddOptions = { branch?: string; username?: string; passwordStdin?: boolean; json?: boolean };

export async function listSources(client: TrellisClient): Promise<SourceItem[]> {
  return allItems((cursor) => unwrap(client.GET('/repository/sources', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } })));
}

/** A source of the current project by name (or id). */
export async function findSource(client: TrellisClient, nameOrId: string): Promise<SourceItem> {
  const source = (await listSources(client)).find((candidate) => candidate.name === nameOrId || candidate.id === nameOrId);
  if (!source) throw new CliError('source_not_found', `no repository "${nameOrId}" in this project`, { exitCode: EXIT.notFound, hint: 'list them with `trellis repo list`' });
  return source;
}

export async function addSource(client: TrellisClient, name: string, url: string, options: AddOptions): Promise<void> {
  if (options.username && !options.passwordStdin) {
    throw new CliError('usage', '--username needs the password or token too', { exitCode: EXIT.usage, hint: 'pipe it with --password-stdin' });
  }
  const password = options.passwordStdin ? await readStdin() : undefined;
  if (options.passwordStdin && !password) throw new CliError('usage', 'no password or token on stdin', { exitCode: EXIT.usage, hint: 'pipe it: `echo "$TOKEN" | trellis repo add ... --password-stdin`' });
  const source = await unwrap(client.POST('/repository/sources', {
    body: { name, url, ...(options.branch ? { branch: options.branch } : {}), ...(options.username ? { username: options.username } : {}), ...(password ? { password } : {}) },
  }));
  if (options.json) return printJson(source);
  printLine(`Added repository ${colors.bold(source.name)} (${source.id})${source.has_credentials ? ' with credentials' : ''}`);
  printLine(`Next: ${colors.bold(`trellis repo scan ${source.name} --wait`)}`);
}

export async function showSourceList(client: TrellisClient, options: { json?: boolean }): Promise<void> {
  const sources = await listSources(client);
  if (options.json) return printJson(sources);
  printTable(['name', 'url', 'branch', 'last scan', 'commit', 'actions', 'problems'], sources.map((source) => [
    source.name, source.url, source.branch ?? '(default)', source.last_scan ? colorStatus(source.last_scan.status) : 'never',
    source.last_scan?.commit?.slice(0, 12), source.last_scan?.action_count, source.last_scan?.problem_count,
  ]));
}

export async function showSource(client: TrellisClient, name: string, options: { json?: boolean }): Promise<void> {
  const { id } = await findSource(client, name);
  const source = await unwrap(client.GET('/repository/sources/{id}', { params: { path: { id } } }));
  if (options.json) return printJson(source);
  printFields([
    ['name', source.name], ['id', source.id], ['url', source.url], ['branch', source.branch ?? '(the remote\'s default)'],
    ['credentials', source.has_credentials ? `yes (user ${source.username ?? 'git'})` : 'none'], ['created', `${source.created_at} by ${source.created_by}`],
  ]);
  printLine();
  if (!source.last_scan) return printLine(`Never scanned: ${colors.bold(`trellis repo scan ${source.name} --wait`)}`);
  printScan(source.last_scan);
}

export async function deleteSource(client: TrellisClient, name: string, options: { json?: boolean }): Promise<void> {
  const source = await findSource(client, name);
  await unwrap(client.DELETE('/repository/sources/{id}', { params: { path: { id: source.id } } }));
  if (options.json) return printJson(source);
  printLine(`Deleted repository ${colors.bold(source.name)}`);
}
