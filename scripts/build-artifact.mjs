#!/usr/bin/env node
// Builds action folders into artifacts with the action builder's own toolchain (the manifest
// check, npm or pip, the bundled wrapper, the deterministic seal), without the builder service:
// for tests of what runs artifacts (the runner's local site) and for trying an action by hand.
//
//   node scripts/build-artifact.mjs <action-folder> <out.tar.gz> [<action-folder> <out.tar.gz> ...]
//
// Prints one JSON line per artifact: {"file", "digest", "size", "definition"} (definition as
// @trellis/action-manifest gives it). Exits 1 with the reason when an action cannot be built.
// The TypeScript sources are loaded through vite's module runner, as vitest loads them.
import { randomUUID } from 'node:crypto';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultServerConditions, runnerImport } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const toolchainDir = path.join(root, 'services', 'action-builder', 'src', 'infrastructure', 'toolchain');
const conditions = ['trellis-source', ...defaultServerConditions];
const load = async (file) => (await runnerImport(path.join(toolchainDir, file), {
  configFile: false, logLevel: 'error', root, resolve: { conditions }, ssr: { resolve: { conditions } },
})).module;

const pairs = process.argv.slice(2);
if (pairs.length === 0 || pairs.length % 2 !== 0) {
  console.error('usage: node scripts/build-artifact.mjs <action-folder> <out.tar.gz> [...]');
  process.exit(2);
}
const [{ makeToolchain }, { layout }] = await Promise.all([load('toolchain.ts'), load('source.ts')]);
const workDir = await mkdtemp(path.join(tmpdir(), 'trellis-build-artifact-'));
const lines = [];
const context = { log: { write: (line) => lines.push(line), tail: () => lines.join('\n'), store: async () => '', close: async () => undefined }, signal: new AbortController().signal };
try {
  const toolchain = makeToolchain(undefined, {
    workDir, owner: 'build-artifact', python: process.env.TRELLIS_PYTHON ?? 'python3',
    npmRegistry: process.env.TRELLIS_NPM_REGISTRY, pipIndexUrl: process.env.TRELLIS_PIP_INDEX_URL, pipFindLinks: process.env.TRELLIS_PIP_FIND_LINKS,
    unpackLimits: { maxBytes: 1024 * 1024 * 1024, maxEntries: 100_000 },
  });
  for (let i = 0; i < pairs.length; i += 2) {
    const [folder, out] = [path.resolve(pairs[i]), path.resolve(pairs[i + 1])];
    const workspace = await toolchain.workspace({ id: randomUUID(), attempt: 1 });
    try {
      const action = layout(workspace).action;
      await cp(folder, action, { recursive: true, filter: (source) => !/(^|\/)(node_modules|__pycache__)$/.test(source) });
      const loaded = await toolchain.loadAction(action, context);
      if (!loaded.ok) throw new Error(`${folder}: ${loaded.error.reason}`);
      const installed = await toolchain.installDependencies(loaded.value, action, workspace, context);
      if (!installed.ok) throw new Error(`${folder}: ${installed.error.reason}`);
      const sealed = await toolchain.seal(loaded.value, action, workspace, context);
      await copyFile(sealed.file, out);
      process.stdout.write(`${JSON.stringify({ file: out, digest: sealed.digest, size: sealed.size, definition: loaded.value.definition })}\n`);
    } finally {
      await workspace.dispose();
    }
  }
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${lines.slice(-20).join('\n')}`);
  process.exitCode = 1;
} finally {
  await rm(workDir, { recursive: true, force: true });
}
