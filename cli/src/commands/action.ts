import type { Command } from 'commander';
import { TrellisApiError, unwrap, type paths, type TrellisClient } from '@trellis/sdk';
import { CliError, EXIT } from '../exit-codes.js';
import { colors, printFields, printJson, printLine, printTable } from '../output.js';
import type { CommandGroup } from '../program.js';
import { withJson } from '../program.js';
import { openSession } from '../session.js';
import { allItems } from '../pages.js';

type LibraryAction = paths['/studio/actions/{actionId}/versions/{version}']['get']['responses'][200]['content']['application/json'];
type Io = LibraryAction['inputs'][number];

const notFound = (what: string) => new CliError('action_not_found', `no action ${what} in the library`, { exitCode: EXIT.notFound, hint: 'list them with `trellis action list`; it holds built actions only: `trellis repo build NAME --wait`' });

async function listActions(client: TrellisClient, search: string | undefined): Promise<LibraryAction[]> {
  return allItems((cursor) => unwrap(client.GET('/studio/actions', { params: { query: { limit: 200, ...(search ? { search } : {}), ...(cursor ? { cursor } : {}) } } })));
}

/** The action's id from its id or its name as the library shows it. */
async function resolveActionId(client: TrellisClient, idOrName: string): Promise<string> {
  const actions = await listActions(client, idOrName);
  const found = actions.find((action) => action.id === idOrName) ?? actions.find((action) => action.name === idOrName)
    ?? actions.find((action) => action.name.toLowerCase() === idOrName.toLowerCase());
  if (!found) throw notFound(`"${idOrName}"`);
  return found.id;
}

/** `ID@VERSION` split at its last "@" (an id holds none). */
function parseReference(reference: string): { idOrName: string; version: string | undefined } {
  const at = reference.lastIndexOf('@');
  return at > 0 ? { idOrName: reference.slice(0, at), version: reference.slice(at + 1) } : { idOrName: reference, version: undefined };
}

async function versionOf(client: TrellisClient, actionId: string, version: string): Promise<LibraryAction> {
  try {
    return await unwrap(client.GET('/studio/actions/{actionId}/versions/{version}', { params: { path: { actionId, version } } }));
  } catch (error) {
    if (error instanceof TrellisApiError && error.status === 404) {
      throw new CliError('action_version_not_found', `the action ${actionId} has no version ${version}`, { exitCode: EXIT.notFound, hint: `its versions: \`trellis action show ${actionId}\`` });
    }
    throw error;
  }
}

function ioRows(ios: readonly Io[]): unknown[][] {
  return ios.map((io) => [
    io.name, io.values ? `${io.type} (${io.values.join('|')})` : io.type, io.injected ? `injected (${io.injected})` : io.optional ? 'optional' : 'required',
    io.has_secret_default ? '(secret)' : io.default === undefined ? null : JSON.stringify(io.default), io.help,
  ]);
}

function printAction(action: LibraryAction): void {
  printFields([
    ['id', action.id], ['name', action.name], ['version', action.version], ['kind', action.kind], ['runtime', `${action.runtime} (${action.format})`],
    ['description', action.description], ['categories', action.categories.join(', ') || '-'], ['digest', action.digest], ['built', action.built_at],
    ['from', `source ${action.source.source_id}, commit ${action.source.commit.slice(0, 12)}, folder ${action.source.folder || '.'}`],
  ]);
  printLine();
  printLine(colors.bold('Inputs'));
  printTable(['name', 'type', 'use', 'default', 'help'], ioRows(action.inputs));
  printLine();
  printLine(colors.bold('Outputs'));
  printTable(['name', 'type', 'use', 'default', 'help'], ioRows(action.outputs));
}

async function showAction(client: TrellisClient, reference: string, options: { json?: boolean }): Promise<void> {
  const { idOrName, version } = parseReference(reference);
  const actionId = await resolveActionId(client, idOrName);
  if (version) {
    const found = await versionOf(client, actionId, version);
    return options.json ? printJson(found) : printAction(found);
  }
  const action = await unwrap(client.GET('/studio/actions/{actionId}', { params: { path: { actionId } } }));
  if (options.json) return printJson(action);
  printAction(action);
  printLine();
  printLine(colors.bold(`Versions (${action.versions.length})`));
  printTable(['version', 'built', 'digest', 'commit'], action.versions.map((each) => [each.version, each.built_at, each.digest.slice(0, 12), each.source.commit.slice(0, 12)]));
}

async function showActionList(client: TrellisClient, options: { search?: string; json?: boolean }): Promise<void> {
  const actions = await listActions(client, options.search);
  if (options.json) return printJson(actions);
  printTable(['id', 'version', 'kind', 'name', 'runtime', 'categories', 'built'], actions.map((action) => [
    action.id, action.version, action.kind, action.name, action.runtime, action.categories.join(', '), action.built_at,
  ]));
}

/** `trellis action ...`: the project's library of built actions (studio). */
export const registerActionCommands: CommandGroup = (program: Command, globals) => {
  const client = () => openSession(globals()).client;
  const action = program.command('action').description('the library of built actions');
  withJson(action.command('list').description('the newest version of each built action'))
    .option('-s, --search <text>', 'only actions whose id, name, description or a category holds the text')
    .action((options: { search?: string; json?: boolean }) => showActionList(client(), options));
  withJson(action.command('show <id[@version]>').description('an action (by id or name), its versions, inputs and outputs; with @VERSION that version'))
    .action((reference: string, options: { json?: boolean }) => showAction(client(), reference, options));
};
