import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TrellisApiError, unwrap, type TrellisClient } from '@trellis/sdk';
import { CliError, EXIT } from '../exit-codes.js';
import { colors, printJson, printLine, printTable } from '../output.js';
import type { CommandGroup } from '../program.js';
import { withJson } from '../program.js';
import { askSecret, readStdin } from '../prompt.js';
import { openSession } from '../session.js';
import { allItems } from '../pages.js';

type JsonOption = { json?: boolean };
type ListOptions = { search?: string; json?: boolean };
type VarSetOptions = { fromFile?: string; jsonValue?: boolean; json?: boolean };

const kindOf = { variable: { list: 'trellis var list' }, secret: { list: 'trellis secret list' } } as const;

/** A 404 of one name becomes a not-found line that says where the names are listed. */
function notFoundSays(kind: keyof typeof kindOf, name: string) {
  return (error: unknown): never => {
    if (error instanceof TrellisApiError && error.code === `${kind}_not_found`) {
      throw new CliError(error.code, `no ${kind} "${name}" in this project`, { exitCode: EXIT.notFound, hint: `list them with \`${kindOf[kind].list}\`` });
    }
    throw error;
  };
}

const pageQuery = (search: string | undefined, cursor: string | undefined) => ({ limit: 200, ...(search ? { search } : {}), ...(cursor ? { cursor } : {}) });

/** What `var set` stores: VALUE or the file's text, as a string unless --json-value says it is JSON. */
function variableValue(value: string | undefined, options: VarSetOptions): unknown {
  if (value !== undefined && options.fromFile) throw new CliError('usage', 'give the value or --from-file, not both', { exitCode: EXIT.usage });
  const text = options.fromFile ? readFile(options.fromFile) : value;
  if (text === undefined) throw new CliError('usage', 'no value', { exitCode: EXIT.usage, hint: 'trellis var set NAME VALUE, or --from-file FILE' });
  if (!options.jsonValue) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError('usage', `--json-value: the value is not JSON (${(error as Error).message})`, { exitCode: EXIT.usage, hint: 'quote strings: \'"text"\', or leave out --json-value' });
  }
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError('file_unreadable', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { exitCode: EXIT.usage });
  }
}

const shown = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

async function setVariable(client: TrellisClient, name: string, value: string | undefined, options: VarSetOptions): Promise<void> {
  const { data, response } = await client.PUT('/studio/variables/{name}', { params: { path: { name } }, body: { value: variableValue(value, options) } });
  if (options.json) return printJson(data);
  printLine(`${response.status === 201 ? 'Created' : 'Replaced'} variable ${colors.bold(name)}: workflows read it as \${{ vars.${name} }}`);
}

async function listVariables(client: TrellisClient, options: ListOptions): Promise<void> {
  const variables = await allItems((cursor) => unwrap(client.GET('/studio/variables', { params: { query: pageQuery(options.search, cursor) } })));
  if (options.json) return printJson(variables);
  printTable(['name', 'value', 'updated'], variables.map((variable) => [variable.name, shown(variable.value), variable.updated_at]));
}

async function deleteVariable(client: TrellisClient, name: string, options: JsonOption): Promise<void> {
  const variable = await unwrap(client.GET('/studio/variables/{name}', { params: { path: { name } } })).catch(notFoundSays('variable', name));
  await unwrap(client.DELETE('/studio/variables/{name}', { params: { path: { name } } })).catch(notFoundSays('variable', name));
  if (options.json) return printJson(variable);
  printLine(`Deleted variable ${colors.bold(name)}`);
}

/** From stdin, or asked without echo on a terminal: never from the command line, where shells and `ps` keep it. */
async function secretValue(name: string, fromArgv: string | undefined): Promise<string> {
  if (fromArgv !== undefined) {
    throw new CliError('usage', 'a secret\'s value is never taken from the command line (shell history and `ps` would keep it)', { exitCode: EXIT.usage, hint: `pipe it: \`printf %s "$VALUE" | trellis secret set ${name}\`` });
  }
  const value = process.stdin.isTTY ? await askSecret(`Value of ${name}`, 'pipe it on stdin') : await readStdin();
  if (!value) throw new CliError('usage', 'the secret is empty', { exitCode: EXIT.usage, hint: `pipe it on stdin: \`printf %s "$VALUE" | trellis secret set ${name}\`` });
  return value;
}

async function setSecret(client: TrellisClient, name: string, fromArgv: string | undefined, options: JsonOption): Promise<void> {
  const value = await secretValue(name, fromArgv);
  const { data, response } = await client.PUT('/studio/secrets/{name}', { params: { path: { name } }, body: { value } });
  if (options.json) return printJson(data);
  printLine(`${response.status === 201 ? 'Created' : 'Replaced'} secret ${colors.bold(name)}: workflows read it as \${{ secrets.${name} }}; it is never shown again`);
}

async function listSecrets(client: TrellisClient, options: ListOptions): Promise<void> {
  const secrets = await allItems((cursor) => unwrap(client.GET('/studio/secrets', { params: { query: pageQuery(options.search, cursor) } })));
  if (options.json) return printJson(secrets);
  printTable(['name', 'updated', 'by'], secrets.map((secret) => [secret.name, secret.updated_at, secret.updated_by]));
}

async function deleteSecret(client: TrellisClient, name: string, options: JsonOption): Promise<void> {
  const secret = await unwrap(client.GET('/studio/secrets/{name}', { params: { path: { name } } })).catch(notFoundSays('secret', name));
  await unwrap(client.DELETE('/studio/secrets/{name}', { params: { path: { name } } })).catch(notFoundSays('secret', name));
  if (options.json) return printJson(secret);
  printLine(`Deleted secret ${colors.bold(name)}`);
}

/** `trellis var|secret ...`: the current project's variables (`${{ vars.NAME }}`) and secrets (`${{ secrets.NAME }}`). */
export const registerValueCommands: CommandGroup = (program: Command, globals) => {
  const client = () => openSession(globals()).client;

  const variable = program.command('var').description('the project\'s variables, read by workflows as ${{ vars.NAME }}');
  withJson(variable.command('set <name> [value]').description('create or replace a variable (a string, or JSON with --json-value)'))
    .option('-f, --from-file <file>', 'take the value from a file')
    .option('--json-value', 'the value is JSON (a number, boolean, list or object)')
    .action((name: string, value: string | undefined, options: VarSetOptions) => setVariable(client(), name, value, options));
  withJson(variable.command('list').description('the variables with their values'))
    .option('-s, --search <text>', 'only names containing this text')
    .action((options: ListOptions) => listVariables(client(), options));
  withJson(variable.command('delete <name>').description('delete a variable'))
    .action((name: string, options: JsonOption) => deleteVariable(client(), name, options));

  const secret = program.command('secret').description('the project\'s secrets, read by workflows as ${{ secrets.NAME }}; values are never shown');
  // [value] only to refuse it in one clear line: a secret comes from stdin or a prompt without echo.
  withJson(secret.command('set <name> [value]').description('create or rotate a secret; the value from stdin (or asked without echo)'))
    .action((name: string, value: string | undefined, options: JsonOption) => setSecret(client(), name, value, options));
  withJson(secret.command('list').description('the secrets\' names and update times (never their values)'))
    .option('-s, --search <text>', 'only names containing this text')
    .action((options: ListOptions) => listSecrets(client(), options));
  withJson(secret.command('delete <name>').description('delete a secret'))
    .action((name: string, options: JsonOption) => deleteSecret(client(), name, options));
};
