import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/actions');

const GIT_ENV = {
  ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** A real git repository made by a test: files written, then committed. */
export type TestRepository = {
  /** The bare repository's folder (what file:// and http-backend serve). */
  bare: string;
  fileUrl: string;
  /** Writes (or with null, deletes) files in the working copy, commits and pushes; answers the commit. */
  commit: (files: Record<string, string | null>, message?: string) => Promise<string>;
  copyExample: (example: string, folder: string) => Promise<void>;
  git: (...args: string[]) => Promise<string>;
  close: () => Promise<void>;
};

export async function makeTestRepository(options: { branch?: string } = {}): Promise<TestRepository> {
  const root = await mkdtemp(path.join(tmpdir(), 'trellis-repo-'));
  const bare = path.join(root, 'actions.git');
  const work = path.join(root, 'work');
  const branch = options.branch ?? 'main';
  const git = async (...args: string[]) => (await run('git', args, { cwd: work, env: GIT_ENV })).stdout.trim();
  await run('git', ['init', '--bare', '--initial-branch', branch, bare], { env: GIT_ENV });
  await mkdir(work);
  await git('init', '--initial-branch', branch);
  await git('remote', 'add', 'origin', bare);
  return {
    bare,
    fileUrl: `file://${bare}`,
    git,
    copyExample: async (example, folder) => {
      await cp(path.join(EXAMPLES, example), path.join(work, folder), { recursive: true });
    },
    commit: async (files, message = 'change') => {
      for (const [name, content] of Object.entries(files)) {
        const file = path.join(work, name);
        if (content === null) await rm(file, { recursive: true, force: true });
        else {
          await mkdir(path.dirname(file), { recursive: true });
          await writeFile(file, content);
        }
      }
      await git('add', '-A');
      await git('commit', '--allow-empty', '-m', message);
      await git('push', '-q', 'origin', `HEAD:${branch}`);
      return git('rev-parse', 'HEAD');
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}

/** A Ryax action as Ryax users write it (a Python processor). */
export const RYAX_ACTION = {
  'ryax_metadata.yaml': [
    'apiVersion: "ryax.tech/v2.0"',
    'kind: Processor',
    'spec:',
    '  id: ryax-count',
    '  human_name: Count words',
    '  description: "Counts the words of a text"',
    '  type: python3',
    '  version: "1.0"',
    '  inputs:',
    '    - help: The text',
    '      human_name: Text',
    '      name: text',
    '      type: string',
    '  outputs:',
    '    - help: How many words',
    '      human_name: Count',
    '      name: count',
    '      type: integer',
    '',
  ].join('\n'),
  'ryax_handler.py': 'def handle(mod_in):\n    return {"count": len(mod_in["text"].split())}\n',
};

/** A manifest with an unknown field on line 5. */
export const UNKNOWN_FIELD = {
  'trellis.yaml': [
    'apiVersion: trellis.dev/v1',
    'kind: Processor',
    'id: broken-field',
    'version: 1.0.0',
    'colour: blue',
    'name: Broken',
    'runtime: nodejs',
    'handler: handler.js',
    '',
  ].join('\n'),
  'handler.js': 'export function handle() { return {}; }\n',
};

/** A Python handler that does not compile (line 2). */
export const SYNTAX_ERROR = {
  'trellis.yaml': 'apiVersion: trellis.dev/v1\nkind: Processor\nid: broken-syntax\nversion: 1.0.0\nname: Broken syntax\nruntime: python\nhandler: handler.py\n',
  'handler.py': 'def handle(inputs, context):\n    return {\n',
};
