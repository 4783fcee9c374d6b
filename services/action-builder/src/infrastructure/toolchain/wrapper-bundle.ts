import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/**
 * The wrapper sealed into every artifact, made once per builder process: packages/action-wrapper
 * bundled by esbuild into one ES module with its dependencies (gRPC, protobuf, the manifest
 * reader), beside its Python runtime, so an artifact runs with nothing but `node` and `python3`.
 * The same Trellis sources give the same bytes (esbuild is deterministic; paths in the bundle are
 * relative to the repository root).
 *
 *   wrapper/cli.js           the artifact's entry point: puts action/.python on PYTHONPATH, then starts dist/cli.js
 *   wrapper/dist/cli.js      the bundle (the wrapper's own cli.ts)
 *   wrapper/python/          trellis_runtime.py, ryax_wrapper.py, ryax_execution/
 *   wrapper/package.json     "type": "module" and the wrapper's version (which it reports)
 */
export type WrapperBundle = { readonly dir: string; readonly version: string };

const LAUNCHER = `// The artifact's entry point: node wrapper/cli.js action [wrapper options]. Written by the
// Trellis action builder. The action's Python packages (action/.python) go on PYTHONPATH, for
// the wrapper's Python child; then the wrapper starts.
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = fileURLToPath(new URL('../action/.python', import.meta.url));
if (existsSync(packages)) process.env.PYTHONPATH = [packages, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
await import('./dist/cli.js');
`;

// CommonJS dependencies (grpc-js, protobufjs) call require(); an ES module bundle gives them one.
const BANNER = "import { createRequire as __trellisCreateRequire } from 'node:module'; const require = __trellisCreateRequire(import.meta.url);";

/** The monorepo's root: the nearest folder above this file whose package.json has workspaces. */
export function repositoryRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
    if (path.dirname(dir) === dir) throw new Error('cannot find the Trellis repository root (a package.json with workspaces) above the builder');
  }
}

export async function makeWrapperBundle(outDir: string, root = repositoryRoot()): Promise<WrapperBundle> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await esbuild.build({
    stdin: { contents: "import '@trellis/action-wrapper/cli';", resolveDir: root, sourcefile: 'trellis-artifact-entry.js', loader: 'js' },
    absWorkingDir: root,
    bundle: true, platform: 'node', format: 'esm', target: 'node20', conditions: ['trellis-source'],
    outfile: path.join(outDir, 'dist', 'cli.js'), banner: { js: BANNER }, legalComments: 'eof', charset: 'utf8',
    metafile: true, logLevel: 'silent',
  });
  const cli = Object.keys(result.metafile.inputs).find((input) => /(^|\/)action-wrapper\/src\/cli\.ts$/.test(input));
  if (!cli) throw new Error('the wrapper bundle does not contain the wrapper\'s cli.ts');
  const packageDir = path.resolve(root, path.dirname(path.dirname(cli)));
  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  await cp(path.join(packageDir, 'python'), path.join(outDir, 'python'), {
    recursive: true,
    filter: (source) => !/(__pycache__|\.pyc)$/.test(source),
  });
  await writeFile(path.join(outDir, 'package.json'), `${JSON.stringify({ name: '@trellis/action-wrapper', version, private: true, type: 'module' }, null, 2)}\n`);
  await writeFile(path.join(outDir, 'cli.js'), LAUNCHER);
  return { dir: outDir, version };
}
