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

async function problemsOf(folder: string): Promise<string[]> {
  const result = await loadAction(folder);
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
