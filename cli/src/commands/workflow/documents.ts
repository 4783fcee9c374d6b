import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { TrellisApiError, unwrap, type ProblemFinding, type TrellisClient } from '@trellis/sdk';
import { CliError, EXIT } from '../../exit-codes.js';
import { colors, note, printJson, printLine } from '../../output.js';
import { findWorkflow, rethrowWorkflowNotFound, workflowNamed } from './find.js';

type JsonOption = { json?: boolean };
export type ExportOptions = { version?: string; output?: string };

/** A problem as editors and compilers print one: `file:line:col code message` (the path instead when the body has no place for it). */
export function locatedProblem(file: string, problem: ProblemFinding): string {
  const at = problem.line !== undefined ? `${file}:${problem.line}:${problem.column ?? 1}` : `${file}:${problem.path || '(document)'}`;
  return `${at} ${problem.code ?? 'invalid'} ${problem.message}`;
}

function readDocumentFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError('file_unreadable', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { exitCode: EXIT.usage });
  }
}

/** The document's name, if the YAML reads (studio says what is wrong otherwise). */
function nameIn(text: string): string | undefined {
  try {
    const document = parseYaml(text) as unknown;
    const name = typeof document === 'object' && document !== null ? (document as Record<string, unknown>)['name'] : undefined;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The file's text sent as it is, as YAML (openapi-fetch would send it as a JSON string). */
const yamlBody = { bodySerializer: (body: unknown) => body as string, headers: { 'content-type': 'application/yaml' } };

const problemsFound = (file: string, count: number, after: string) =>
  new CliError('workflow_invalid', `${file} has ${count} problem${count === 1 ? '' : 's'}${after}`, { hint: 'fix them and run the command again' });

/** A document refused whole (unreadable YAML, no valid name): its located problems, then exit 1. */
function refusedDocument(file: string, options: JsonOption) {
  return (error: unknown): never => {
    if (!(error instanceof TrellisApiError && error.code === 'workflow_invalid')) throw error;
    if (options.json) printJson(error.problem);
    else for (const problem of error.errors) printLine(locatedProblem(file, problem));
    throw problemsFound(file, error.errors.length, '');
  };
}

export async function validateFile(client: TrellisClient, file: string, options: JsonOption): Promise<void> {
  const text = readDocumentFile(file);
  // The file of an existing workflow is a draft of it: its own name is not "taken".
  const existing = await workflowNamed(client, nameIn(text));
  const answer = await unwrap(client.POST('/studio/workflows/validate', {
    params: { query: existing ? { workflow: existing.id } : {} }, body: text, ...yamlBody,
  })).catch(refusedDocument(file, options));
  if (options.json) return printJson(answer);
  printLine(`${file}: ${colors.green('valid')}`);
}

export async function importFile(client: TrellisClient, file: string, options: JsonOption): Promise<void> {
  const text = readDocumentFile(file);
  const { data: workflow, response } = await client.POST('/studio/workflows/import', { params: { query: {} }, body: text, ...yamlBody }).catch(refusedDocument(file, options));
  if (!workflow) throw new Error('the import answered without the workflow');
  if (options.json) printJson(workflow);
  else {
    const what = response.status === 201 ? 'Imported new workflow' : 'Imported a new draft of';
    printLine(`${what} ${colors.bold(workflow.name)} (${workflow.id})`);
    for (const problem of workflow.problems) printLine(locatedProblem(file, problem));
  }
  if (workflow.problems.length > 0) throw problemsFound(file, workflow.problems.length, `: saved as a draft of ${workflow.name} that cannot be deployed`);
  if (!options.json) note(`deploy it with \`trellis workflow deploy ${workflow.name} --wait\``);
}

export async function exportWorkflow(client: TrellisClient, nameOrId: string, options: ExportOptions): Promise<void> {
  const workflow = await findWorkflow(client, nameOrId);
  const yaml = await unwrap(client.GET('/studio/workflows/{id}/export', {
    params: { path: { id: workflow.id }, query: options.version ? { version: options.version } : {} }, parseAs: 'text',
  })).catch((error: unknown) => {
    if (error instanceof TrellisApiError && error.code === 'workflow_version_not_found') {
      throw new CliError(error.code, `${workflow.name} has no version ${options.version}`, { exitCode: EXIT.notFound, hint: `its versions: \`trellis workflow show ${workflow.name}\`` });
    }
    return rethrowWorkflowNotFound(nameOrId)(error);
  });
  if (!options.output || options.output === '-') {
    process.stdout.write(yaml);
    return;
  }
  writeFileSync(options.output, yaml);
  note(`Wrote ${options.output} (${workflow.name}${options.version ? ` version ${options.version}` : ', the draft'})`);
}
