/* Actions, workflow documents and hostile inputs of the attacks and secrets parts. */

/** A Node action that is handed a secret and prints it (plain, base64 and URL-encoded): the platform must mask it in the step's logs. */
export const PRINT_SECRET = {
  'actions/print-secret/trellis.yaml': [
    'apiVersion: trellis.dev/v1', 'kind: Processor', 'id: print-secret', 'version: 1.0.0', 'name: Print secret',
    'description: Prints the secret it is given, as careless code would.', 'runtime: nodejs', 'handler: handler.js',
    'inputs:', '  - { name: token, type: password, help: The secret }', '  - { name: text, type: string, help: Anything }',
    'outputs:', '  - { name: length, type: integer, help: The secret\'s length }', '',
  ].join('\n'),
  'actions/print-secret/handler.js': [
    'export function handle({ token, text }) {',
    '  console.log(`the token is ${token} (${text})`);',
    "  console.error(`as base64 ${Buffer.from(token).toString('base64')}, in a URL ${encodeURIComponent(token)}`);",
    '  return { length: token.length };',
    '}', '',
  ].join('\n'),
  'actions/print-secret/package.json': '{ "name": "print-secret", "private": true, "type": "module" }\n',
};

/** A Node action taking a directory: it counts the files in it. */
export const COUNT_FILES = {
  'actions/count-files/trellis.yaml': [
    'apiVersion: trellis.dev/v1', 'kind: Processor', 'id: count-files', 'version: 1.0.0', 'name: Count files',
    'description: Counts the files of a directory.', 'runtime: nodejs', 'handler: handler.js',
    'inputs:', '  - { name: folder, type: directory, help: Any folder }', 'outputs:', '  - { name: count, type: integer, help: Its files }', '',
  ].join('\n'),
  'actions/count-files/handler.js': [
    "import { readdirSync } from 'node:fs';",
    'export function handle({ folder }) {',
    '  return { count: readdirSync(folder, { recursive: true }).length };',
    '}', '',
  ].join('\n'),
  'actions/count-files/package.json': '{ "name": "count-files", "private": true, "type": "module" }\n',
};

/** The directory input of count-files behind an HTTP trigger. */
export const COUNT_WORKFLOW = [
  'apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: count', 'trigger:', '  type: http', '  path: count', '  timeout: 30s', '  auth: none',
  '  inputs:', '    - { name: folder, type: directory }', 'steps:', '  - id: s1', '    action: count-files', '    inputs:', '      folder: ${{ trigger.folder }}',
  'results:', '  count: ${{ steps.s1.count }}', '',
].join('\n');

/** One echo step behind an HTTP trigger at `path`; `webhook` sets on_finish. */
export function echoWorkflow(path: string, options: { auth?: 'none' | 'required'; webhook?: string } = {}): string {
  return [
    'apiVersion: trellis.dev/v1', 'kind: Workflow', `name: ${path}`,
    'trigger:', '  type: http', `  path: ${path}`, '  timeout: 30s', `  auth: ${options.auth ?? 'none'}`,
    '  inputs:', '    - name: text', '      type: string',
    'steps:', '  - id: s1', '    action: echo', '    inputs:', '      text: ${{ trigger.text }}',
    'results:', '  text: ${{ steps.s1.text }}',
    ...(options.webhook ? ['on_finish:', `  webhook: ${JSON.stringify(options.webhook)}`] : []), '',
  ].join('\n');
}

/** The secret handed to print-secret, the run ending at a webhook (refused: loopback; its attempt is recorded all the same). */
export function secretWorkflow(path: string, webhook: string): string {
  return [
    'apiVersion: trellis.dev/v1', 'kind: Workflow', `name: ${path}`,
    'trigger:', '  type: http', `  path: ${path}`, '  timeout: 30s', '  auth: none',
    '  inputs:', '    - name: text', '      type: string',
    'steps:', '  - id: s1', '    action: print-secret', '    inputs:', '      token: ${{ secrets.ATTACK_SECRET }}', '      text: ${{ trigger.text }}',
    'results:', '  length: ${{ steps.s1.length }}',
    'on_finish:', `  webhook: ${JSON.stringify(webhook)}`, '',
  ].join('\n');
}

/** Billion laughs: ten levels of ten aliases, 10^9 strings once expanded. */
export function yamlBomb(top: string): string {
  const lines = ['a0: &a0 "lol"'];
  for (let level = 1; level <= 9; level += 1) lines.push(`a${level}: &a${level} [${Array.from({ length: 10 }, () => `*a${level - 1}`).join(', ')}]`);
  lines.push(`${top}: [${Array.from({ length: 10 }, () => '*a9').join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

/** A manifest that is a billion laughs from its first field on. */
export const MANIFEST_BOMB = `apiVersion: trellis.dev/v1\nkind: Processor\nid: bomb\nversion: 1.0.0\nname: Bomb\n${yamlBomb('categories')}`;

/** Nesting deep enough to exhaust a recursive parser's stack. */
export const DEEP_YAML = `apiVersion: trellis.dev/v1\nkind: Workflow\nname: deep\nsteps: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
