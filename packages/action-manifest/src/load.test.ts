import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePng } from '../test/png.js';
import type { ActionDefinition } from './definition.js';
import { loadAction } from './load.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'test', 'fixtures');
const folders: string[] = [];

/** A real temporary action folder with these files. */
async function aFolder(files: Record<string, string | Buffer>): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'trellis-action-'));
  folders.push(folder);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
    await writeFile(path.join(folder, name), content);
  }
  return folder;
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

const manifest = (...more: string[]): string =>
  ['apiVersion: trellis.dev/v1', 'kind: Processor', 'id: echo-text', 'version: 0.1.0', 'name: Echo', 'runtime: nodejs', ...more].join('\n');
const trigger = (runtime: string, ...more: string[]): string => manifest(...more).replace('kind: Processor', 'kind: Trigger').replace('runtime: nodejs', `runtime: ${runtime}`);

async function problemsOf(folder: string, options = {}): Promise<string[]> {
  const result = await loadAction(folder, options);
  return result.ok ? [] : result.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.code}: ${p.message}`);
}

describe('loadAction: a valid folder', () => {
  it('loads a Node processor with its logo', async () => {
    const folder = await aFolder({
      'trellis.yaml': manifest('handler: src/main.mjs', 'logo: logo.png'),
      'src/main.mjs': 'export async function handle(inputs) { return inputs; }\n',
      'logo.png': makePng(256, 128),
    });
    const result = await loadAction(folder);
    expect(result).toMatchObject({ ok: true, definition: { id: 'echo-text', handler: 'src/main.mjs', logo: 'logo.png', source: { format: 'trellis', manifest: 'trellis.yaml' } } });
  });

  it('reads trellis.yml too', async () => {
    const folder = await aFolder({ 'trellis.yml': trigger('python'), 'handler.py': 'async def run(context, inputs):\n    pass\n' });
    const result = await loadAction(folder);
    expect(result.ok && result.definition.source).toEqual({ format: 'trellis', manifest: 'trellis.yml' });
  });
});

describe('loadAction: folder problems', () => {
  it('reports a missing default handler at the runtime it comes from', async () => {
    const folder = await aFolder({ 'trellis.yaml': manifest() });
    expect(await problemsOf(folder)).toEqual([
      'trellis.yaml:6:10 missing_handler: handler file "handler.js" not found in the action folder (the default for runtime nodejs; set "handler" if your file has another name)',
    ]);
  });

  it('reports a missing named handler at its name', async () => {
    const folder = await aFolder({ 'trellis.yaml': manifest('handler: lib/index.js') });
    expect(await problemsOf(folder)).toEqual(['trellis.yaml:7:10 missing_handler: handler file "lib/index.js" not found in the action folder']);
  });

  it('reports a directory named like the handler as missing', async () => {
    const folder = await aFolder({ 'trellis.yaml': manifest(), 'handler.js/index.js': 'export function handle() {}' });
    expect(await problemsOf(folder)).toEqual([expect.stringContaining('trellis.yaml:6:10 missing_handler')]);
  });

  it.each([
    ['a processor that exports run', manifest(), 'handler.js', 'export function run() {}', 'handler "handler.js" does not export "handle"'],
    ['a processor whose handle is commented out', manifest(), 'handler.js', '// export function handle() {}\n', 'does not export "handle"'],
    ['a processor exporting handle under another name', manifest(), 'handler.js', 'function handle() {}\nexport { handle as main };\n', 'does not export "handle"'],
    ['a trigger that exports handle', trigger('nodejs'), 'handler.js', 'export function handle() {}', 'handler "handler.js" does not export "run"'],
    ['a python trigger with a nested run', trigger('python'), 'handler.py', 'class X:\n    def run(self):\n        pass\n', 'expected a top-level "def run(...)"'],
  ])('reports %s', async (_title, text, handler, code, message) => {
    const folder = await aFolder({ 'trellis.yaml': text, [handler]: code });
    const problems = await problemsOf(folder);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('trellis.yaml:6:10 handler_missing_export');
    expect(problems[0]).toContain(message);
  });

  it('refuses a handler that leaves the folder through a symbolic link', async () => {
    const outside = await aFolder({ 'handler.js': 'export function handle() {}' });
    const folder = await aFolder({ 'trellis.yaml': manifest('handler: linked.js') });
    await symlink(path.join(outside, 'handler.js'), path.join(folder, 'linked.js'));
    expect(await problemsOf(folder)).toEqual([expect.stringContaining('trellis.yaml:7:10 bad_path: handler "linked.js" leads outside the action folder')]);
  });

  it.each([
    ['missing', undefined, 'missing_logo: logo file "logo.png" not found'],
    ['too big', makePng(300, 200), 'logo_too_big: logo "logo.png" is 300x200 pixels; at most 256x256'],
    ['not an image', Buffer.from('definitely not a picture'), 'logo_not_image: logo "logo.png" is not a PNG, JPEG, SVG, GIF or WebP image'],
    ['over 1 MiB', Buffer.concat([makePng(16, 16), Buffer.alloc(1024 * 1024)]), 'logo_file_too_large: logo "logo.png" is 1048648 bytes; at most 1048576 bytes (1 MiB)'],
  ])('reports a logo that is %s', async (_title, logo, message) => {
    const files: Record<string, string | Buffer> = { 'trellis.yaml': manifest('logo: logo.png'), 'handler.js': 'exports.handle = async () => ({});' };
    if (logo !== undefined) files['logo.png'] = logo;
    expect(await problemsOf(await aFolder(files))).toEqual([expect.stringContaining(`trellis.yaml:7:7 ${message}`)]);
  });

  it('accepts an SVG logo whatever its declared size', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024"><rect width="10" height="10"/></svg>';
    const folder = await aFolder({ 'trellis.yaml': manifest('logo: logo.svg'), 'handler.js': 'module.exports = { handle };\nfunction handle() {}', 'logo.svg': svg });
    expect(await problemsOf(folder)).toEqual([]);
  });

  it('reports manifest and folder problems together, in file order', async () => {
    const folder = await aFolder({ 'trellis.yaml': manifest('logo: logo.png', 'inptus: []').replace('id: echo-text', 'id: E') });
    expect((await problemsOf(folder)).map((line) => line.split(' ')[0] + ' ' + line.split(' ')[1])).toEqual([
      'trellis.yaml:3:5 bad_id:',
      'trellis.yaml:6:10 missing_handler:',
      'trellis.yaml:7:7 missing_logo:',
      'trellis.yaml:8:1 unknown_field:',
    ]);
  });

  it('says when there is no manifest, or two', async () => {
    expect(await problemsOf(await aFolder({ 'handler.js': '' }))).toEqual([expect.stringContaining('trellis.yaml:1:1 manifest_not_found: no trellis.yaml')]);
    expect(await problemsOf(await aFolder({ 'trellis.yaml': manifest(), 'trellis.yml': manifest() }))).toEqual([
      expect.stringContaining('ambiguous_manifest: both trellis.yaml and trellis.yml'),
    ]);
  });

  it('prefers trellis.yaml over a Ryax manifest in the same folder', async () => {
    const folder = await aFolder({ 'trellis.yaml': manifest(), 'handler.js': 'export const handle = () => ({});', 'ryax_metadata.yaml': 'not: ryax' });
    expect((await loadAction(folder)).ok).toBe(true);
  });
});

describe('loadAction: Ryax actions', () => {
  it('accepts and maps a Ryax processor field by field', async () => {
    const expected: ActionDefinition = {
      kind: 'Processor',
      id: 'tag-objects',
      version: '1.0.0',
      name: 'Tag objects',
      description: 'Tag the objects found on a picture and count them',
      runtime: 'python',
      handler: 'ryax_handler.py',
      categories: ['Vision', 'Image'],
      logo: 'logo.png',
      inputs: [
        { name: 'model', type: 'enum', help: 'Detection model used to tag the picture', optional: false, values: ['small', 'large'], default: 'small' },
        { name: 'picture', type: 'file', help: 'A picture in any format OpenCV reads', optional: false },
        { name: 'threshold', type: 'float', help: 'Minimum confidence for a tag, between 0 and 1', optional: true, default: 0.5 },
      ],
      outputs: [
        { name: 'tagged', type: 'file', help: 'The picture with boxes drawn around the objects', optional: false },
        { name: 'count', type: 'integer', help: 'How many objects were found', optional: false },
      ],
      resources: { cpu: 2, memoryBytes: 4 * 1024 ** 3, timeoutMs: 120_000 },
      source: { format: 'ryax', manifest: 'ryax_metadata.yaml' },
    };
    expect(await loadAction(path.join(FIXTURES, 'ryax', 'tag-objects'))).toEqual({ ok: true, definition: expected });
  });

  it('accepts and maps a Ryax source as a trigger', async () => {
    const expected: ActionDefinition = {
      kind: 'Trigger',
      id: 'webhook-source',
      version: '2.1.3',
      name: 'Webhook',
      description: 'Start a run for each JSON payload posted to an HTTP endpoint',
      runtime: 'python',
      handler: 'ryax_run.py',
      categories: ['Trigger', 'HTTP'],
      inputs: [
        { name: 'token', type: 'password', help: 'Shared secret that callers send in the X-Token header', optional: false },
        { name: 'path', type: 'string', help: 'Path to listen on', optional: false, default: '/hook' },
      ],
      outputs: [
        { name: 'payload', type: 'longstring', help: '', optional: false },
        { name: 'received_at', type: 'integer', help: 'When the payload was received (seconds since the epoch)', optional: true },
      ],
      resources: { memoryBytes: 512 * 1024 ** 2, timeoutMs: 3_600_000 },
      source: { format: 'ryax', manifest: 'ryax_metadata.yaml' },
    };
    expect(await loadAction(path.join(FIXTURES, 'ryax', 'webhook-source'))).toEqual({ ok: true, definition: expected });
  });

  it('reports a Ryax source without ryax_run.py', async () => {
    const folder = await aFolder({
      'ryax_metadata.yaml': 'apiVersion: "ryax.tech/v2.0"\nkind: Source\nspec:\n  id: ticker\n  human_name: Ticker\n  type: python3\n  version: "1.0"\n',
      'ryax_handler.py': 'def handle(mod_in):\n    return {}\n',
    });
    expect(await problemsOf(folder)).toEqual([expect.stringContaining('ryax_metadata.yaml:6:9 missing_handler: handler file "ryax_run.py" not found')]);
  });
});

describe('loadAction: Ryax manifests as people write them', () => {
  it('accepts a trigger whose descriptions continue at the indentation of their key, as in Ryax default triggers', async () => {
    const expected: ActionDefinition = {
      kind: 'Trigger',
      id: 'emit-every',
      version: '1.2.0',
      name: 'Emit every',
      description:
        'Start a new run of the workflow every given amount of time. The first run starts as soon as the workflow is deployed; later ones follow the interval, whatever the duration of each run.',
      runtime: 'python',
      handler: 'ryax_run.py',
      categories: ['Trigger'],
      logo: 'logo.png',
      inputs: [
        {
          name: 'interval',
          type: 'string',
          help: 'How long to wait between two runs, as a number followed by a unit: s (seconds), m (minutes), h (hours) or d (days), e.g. 30s or 1h.',
          optional: false,
          default: '1m',
        },
        { name: 'max_runs', type: 'integer', help: 'Stop after this many runs; leave it empty to run until the workflow is undeployed.', optional: true },
      ],
      outputs: [{ name: 'started_at', type: 'integer', help: 'When the run was started (seconds since the epoch, UTC).', optional: false }],
      resources: { cpu: 0.1, memoryBytes: 64 * 1024 ** 2 },
      source: { format: 'ryax', manifest: 'ryax_metadata.yaml' },
    };
    expect(await loadAction(path.join(FIXTURES, 'ryax', 'emit-every'))).toEqual({ ok: true, definition: expected });
  });
});

const RYAX_PROCESSOR = 'apiVersion: "ryax.tech/v2.0"\nkind: Processor\nspec:\n  id: word-count\n  human_name: Word count\n  type: python3\n  version: "1.0"\n';
const RYAX_NODE = RYAX_PROCESSOR.replace('type: python3', 'type: nodejs');

describe('loadAction: handlers checked as Ryax checks them', () => {
  it.each([
    ['a Ryax handler', { 'ryax_metadata.yaml': RYAX_PROCESSOR, 'ryax_handler.py': 'def handle(mod_in):\n    return {\n' }, 'ryax_handler.py:2:12 handler_syntax_error: SyntaxError: \'{\' was never closed; the handler must compile'],
    ['a trellis.yaml handler', { 'trellis.yaml': trigger('python'), 'handler.py': 'async def run(context, inputs):\n  x = 1\n\ty = 2\n' }, 'handler.py:3:1 handler_syntax_error: TabError: inconsistent use of tabs and spaces in indentation; the handler must compile'],
    ['a handler Python cannot compile though it parses', { 'ryax_metadata.yaml': RYAX_PROCESSOR, 'ryax_handler.py': 'def handle(mod_in):\n    return {}\nreturn 1\n' }, "ryax_handler.py:3:1 handler_syntax_error: SyntaxError: 'return' outside function; the handler must compile"],
  ])('reports the syntax error of %s in the handler, at its line and column', async (_title, files, expected) => {
    expect(await problemsOf(await aFolder(files))).toEqual([expected]);
  });

  it('says so when there is no python3 to check a Python handler with, rather than passing', async () => {
    const folder = await aFolder({ 'ryax_metadata.yaml': RYAX_PROCESSOR, 'ryax_handler.py': 'def handle(mod_in):\n    return {}\n' });
    expect(await problemsOf(folder, { python: '/nonexistent/python3' })).toEqual([
      'ryax_metadata.yaml:6:9 python_not_found: cannot check that "ryax_handler.py" compiles: there is no "/nonexistent/python3" to run; install Python 3 (or put python3 on the PATH) and validate again',
    ]);
  });

  it.each([
    ['module.exports = handle;', 'function handle(ryax_input) {\n  return { out: ryax_input.text };\n}\nmodule.exports = handle;\n'],
    ['module.exports = function', 'module.exports = function (ryax_input) {\n  return {};\n};\n'],
    ['a named export too', 'exports.handle = (ryax_input) => ({});\n'],
  ])('accepts a Ryax Node.js handler exporting %s', async (_title, code) => {
    expect(await problemsOf(await aFolder({ 'ryax_metadata.yaml': RYAX_NODE, 'ryax_handler.js': code }))).toEqual([]);
  });

  it('refuses module.exports = handle in a trellis.yaml action, whose handler must export handle by name', async () => {
    const folder = await aFolder({ 'trellis.yaml': manifest(), 'handler.js': 'function handle() {}\nmodule.exports = handle;\n' });
    expect(await problemsOf(folder)).toEqual([expect.stringContaining('trellis.yaml:6:10 handler_missing_export')]);
  });

  it('says what a Ryax Node.js handler should look like', async () => {
    const folder = await aFolder({ 'ryax_metadata.yaml': RYAX_NODE, 'ryax_handler.js': 'module.exports = { run };\n' });
    expect(await problemsOf(folder)).toEqual([
      'ryax_metadata.yaml:6:9 handler_missing_export: handler "ryax_handler.js" does not export "handle"; expected "module.exports = handle;" with a function handle(ryax_input), as Ryax documents it',
    ]);
  });
});

describe('loadAction: Ryax Nix files', () => {
  const files = { 'ryax_metadata.yaml': RYAX_PROCESSOR, 'ryax_handler.py': 'def handle(mod_in):\n    return {}\n' };

  it('names overlays.nix and a nix/ folder, at the files themselves, after the manifest\'s problems', async () => {
    const folder = await aFolder({ ...files, 'ryax_metadata.yaml': RYAX_PROCESSOR + '  dependencies: [opencvWithTesseract]\n', 'overlays.nix': '[ ]\n', 'nix/opencv.nix': '{ }\n' });
    expect((await problemsOf(folder)).map((line) => line.split(': ')[0])).toEqual([
      'ryax_metadata.yaml:8:3 unsupported_nix_dependencies',
      'nix/:1:1 unsupported_nix_overlays',
      'overlays.nix:1:1 unsupported_nix_overlays',
    ]);
    expect((await problemsOf(folder))[2]).toContain('Nix overlays are not applied by Trellis, which does not build with Nix; install what it provides from requirements.txt (Python) or package.json (Node.js) instead');
  });

  it('does not mind a file named nix, nor Nix files in a trellis.yaml action', async () => {
    expect(await problemsOf(await aFolder({ ...files, nix: 'notes' }))).toEqual([]);
    expect(await problemsOf(await aFolder({ 'trellis.yaml': manifest(), 'handler.js': 'export function handle() {}', 'overlays.nix': '[ ]' }))).toEqual([]);
  });
});
