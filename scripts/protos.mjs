#!/usr/bin/env node
// Protobuf contract tooling for Trellis. See protos/README.md for the rules it enforces.
//
//   node scripts/protos.mjs <command> [--root <dir>] [--force]
//
//   gen           generate TypeScript (ts-proto, protobufjs runtime) into every
//                 services/<svc>/src/infrastructure/pb/ from protos/<svc>/ and services/<svc>/protos/,
//                 and into packages/<pkg>/src/infrastructure/pb/ from the protos/<emitter>/ that
//                 the package owns (its package.json says `"trellis": { "protos": ["<emitter>"] }`).
//                 Skipped when nothing it reads changed since the last gen and its output is as
//                 that gen left it (recorded in node_modules/.cache/trellis/protos-gen.json under
//                 the root); --force regenerates anyway
//   lint          buf lint protos/ and every consumer copy root services/<svc>/protos/
//   breaking      buf breaking protos/ against the released contract protos/baseline.json
//   baseline      rewrite protos/baseline.json from protos/ (a deliberate act: review the diff)
//   check-copies  every services/<consumer>/protos/<emitter>/v<N>/*.proto must still have its
//                 source in protos/<emitter>/v<N>/, and that source must be wire-compatible with it
//   check         lint + breaking + check-copies
//
// --root points the commands at another tree laid out like the repository (the tests use it);
// buf and the ts-proto plugin always come from this repository's node_modules.
// Exit code: 0 on success, 1 when a check fails, 2 on bad usage.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptFile = fileURLToPath(import.meta.url);
const toolRoot = path.resolve(path.dirname(scriptFile), '..');
const bufBin = path.join(toolRoot, 'node_modules', '.bin', 'buf');
const tsProtoPlugin = path.join(toolRoot, 'node_modules', '.bin', 'protoc-gen-ts_proto');

// ts-proto 1.x options (ts-proto is pinned to 1.x: 2.x moved to the @bufbuild/protobuf runtime).
const tsProtoOptions = [
  // Emit `import _m0 from "protobufjs/minimal.js"`: protobufjs is CommonJS, and Node's ESM
  // loader cannot see its members as named exports, so a namespace import would be empty.
  'esModuleInterop=true',
  // Relative imports get `.js` (NodeNext requires it); so does the protobufjs subpath, which
  // must be `protobufjs/minimal.js` because protobufjs has no package.json "exports" map.
  'importSuffix=.js',
  // google.protobuf.Timestamp <-> Date.
  'useDate=true',
  // The wire format is binary; the proto3 JSON mapping is not used.
  'outputJsonMethods=false',
  // Keep `create()` / `fromPartial()` to build messages with proto3 defaults filled in.
  'outputPartialMethods=true',
  // Node only: bytes are Buffers, no browser shims.
  'env=node',
  // 64-bit integers as decimal strings: exact, no Long objects in application code, and the
  // same representation node-postgres uses for bigint.
  'forceLong=string',
  // Scalars are always present (proto3 defaults); message fields are `T | undefined`.
  'useOptionals=none',
  // Do not export DeepPartial/Exact/... from every file: `import * as pb` holds only the contract.
  'exportCommonSymbols=false',
  // oneof fields become a discriminated union `{ $case: 'name', name: value }`.
  'oneof=unions',
  // Services (the wrapper's gRPC contract) get @grpc/grpc-js definitions, clients and servers.
  'outputServices=grpc-js',
];

// Rules for check-copies. WIRE: the bytes one side writes are read correctly by the other.
// On top of it, names that our transport uses: a message's full name is its RabbitMQ routing
// key and AMQP `type`, and /package.Service/Method is a gRPC path, so a copy that still names a
// message, service or rpc the source dropped (or renamed) is broken too. FILE_SAME_PACKAGE is
// already part of WIRE.
const copyRules = ['WIRE', 'MESSAGE_NO_DELETE', 'SERVICE_NO_DELETE', 'RPC_NO_DELETE'];

const usage = `usage: node scripts/protos.mjs <gen|lint|breaking|baseline|check-copies|check> [--root <dir>] [--force (gen only)]`;

/** @param {string[]} argv */
async function main(argv) {
  /** @type {string | undefined} */
  let command;
  let root = toolRoot;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') {
      force = true;
    } else if (arg === '--root') {
      const value = argv[++i];
      if (value === undefined) return fail(usage, 2);
      root = path.resolve(value);
    } else if (arg === '-h' || arg === '--help') {
      console.log(usage);
      return 0;
    } else if (command === undefined && arg !== undefined && !arg.startsWith('-')) {
      command = arg;
    } else {
      return fail(`unexpected argument ${arg}\n${usage}`, 2);
    }
  }
  if (force && command !== 'gen') return fail(`--force applies to gen only\n${usage}`, 2);
  const tree = makeTree(root);
  switch (command) {
    case 'gen':
      return report('gen', await gen(tree, { force }));
    case 'lint':
      return report('lint', await lint(tree));
    case 'breaking':
      return report('breaking', await breaking(tree));
    case 'baseline':
      return report('baseline', await baseline(tree));
    case 'check-copies':
      return report('check-copies', await checkCopies(tree));
    case 'check': {
      // Run all three even when one fails, so one run shows every problem.
      const codes = [
        report('lint', await lint(tree)),
        report('breaking', await breaking(tree)),
        report('check-copies', await checkCopies(tree)),
      ];
      return codes.some((code) => code !== 0) ? 1 : 0;
    }
    default:
      return fail(command === undefined ? usage : `unknown command ${command}\n${usage}`, 2);
  }
}

/**
 * Where things are in a tree laid out like the repository.
 * @param {string} root
 */
function makeTree(root) {
  const protos = path.join(root, 'protos');
  return {
    root,
    protos,
    baseline: path.join(protos, 'baseline.json'),
    /** What the last successful gen read and wrote; under the root, so every tree has its own. */
    genStamp: path.join(root, 'node_modules', '.cache', 'trellis', 'protos-gen.json'),
    /** Service directories: services/<svc>/ (sorted names). */
    services: () => listDirs(path.join(root, 'services')),
    /** @param {string} svc */
    copyRoot: (svc) => path.join(root, 'services', svc, 'protos'),
    /** @param {string} svc */
    pbDir: (svc) => path.join(root, 'services', svc, 'src', 'infrastructure', 'pb'),
    /**
     * Packages that own contracts: packages/<pkg>/ whose package.json lists the protos/<emitter>/
     * directories it emits under `trellis.protos` (the action wrapper owns protos/action/).
     * @returns {{ pkg: string, emitters: string[], pbDir: string }[]}
     */
    protoPackages: () =>
      listDirs(path.join(root, 'packages')).flatMap((pkg) => {
        const manifest = path.join(root, 'packages', pkg, 'package.json');
        if (!existsSync(manifest)) return [];
        const emitters = JSON.parse(readFileSync(manifest, 'utf8'))?.trellis?.protos;
        if (!Array.isArray(emitters) || emitters.length === 0) return [];
        return [{ pkg, emitters: emitters.map(String), pbDir: path.join(root, 'packages', pkg, 'src', 'infrastructure', 'pb') }];
      }),
    /** A path for messages: relative to the root, with forward slashes. @param {string} p */
    show: (p) => path.relative(root, p).split(path.sep).join('/') || '.',
  };
}

/** @typedef {ReturnType<typeof makeTree>} Tree */
/**
 * `done` replaces the closing "ok" line of a successful step.
 * @typedef {{ problems: string[], notes: string[], done?: string }} Outcome
 */
/** @typedef {{ moduleDir: string, paths: string[] }} GenInput */
/** @typedef {{ out: string, inputs: GenInput[] }} GenTarget */
/** @typedef {{ fingerprint: string, outputs: Record<string, string> }} GenStamp */

/**
 * @param {Tree} tree
 * @param {{ force: boolean }} options
 * @returns {Promise<Outcome>}
 */
async function gen(tree, { force }) {
  const { targets, problems } = planGen(tree);
  const fingerprint = genFingerprint(tree, targets);
  // A plan with problems always runs, so that they are reported every time.
  const stale = force ? 'forced (--force)' : problems.length > 0 ? 'the plan has problems' : whyStale(tree, targets, fingerprint);
  if (stale === undefined) {
    const outputs = Object.keys(outputHashes(tree, targets)).length;
    return { problems: [], notes: [], done: `up to date (${plural(outputs, 'generated file')}; nothing it reads changed; --force regenerates)` };
  }
  // Trusted only once this gen has finished well.
  rmSync(tree.genStamp, { force: true });
  const outcome = await generate(tree, targets);
  outcome.problems.unshift(...problems);
  outcome.notes.unshift(`regenerating: ${stale}`);
  if (outcome.problems.length === 0) writeGenStamp(tree, { fingerprint, outputs: outputHashes(tree, targets) });
  return outcome;
}

/**
 * What gen writes where: one target per service and per package that owns contracts.
 * @param {Tree} tree
 * @returns {{ targets: GenTarget[], problems: string[] }}
 */
function planGen(tree) {
  /** @type {string[]} */
  const problems = [];
  /** @type {GenTarget[]} */
  const targets = [];
  for (const svc of tree.services()) {
    /** @type {GenInput[]} */
    const inputs = [];
    const own = path.join(tree.protos, svc);
    if (protoFiles(own).length > 0) inputs.push({ moduleDir: tree.protos, paths: [svc] });
    const copies = tree.copyRoot(svc);
    if (protoFiles(copies).length > 0) inputs.push({ moduleDir: copies, paths: [] });
    targets.push({ out: tree.pbDir(svc), inputs });
  }
  for (const { pkg, emitters, pbDir } of tree.protoPackages()) {
    /** @type {GenInput[]} */
    const inputs = [];
    for (const emitter of emitters) {
      if (protoFiles(path.join(tree.protos, emitter)).length > 0) {
        inputs.push({ moduleDir: tree.protos, paths: [emitter] });
      } else {
        problems.push(`packages/${pkg}/package.json: trellis.protos names ${emitter}, but ${tree.show(path.join(tree.protos, emitter))} holds no .proto file`);
      }
    }
    targets.push({ out: pbDir, inputs });
  }
  return { targets, problems };
}

/**
 * @param {Tree} tree
 * @param {GenTarget[]} targets
 * @returns {Promise<Outcome>}
 */
async function generate(tree, targets) {
  /** @type {Outcome} */
  const outcome = { problems: [], notes: [] };
  for (const { out, inputs } of targets) {
    // Generated code is never edited by hand: wipe it, so nothing stale survives.
    rmSync(out, { recursive: true, force: true });
    if (inputs.length === 0) continue;
    mkdirSync(out, { recursive: true });
    for (const input of inputs) {
      const template = {
        version: 'v2',
        plugins: [{ local: tsProtoPlugin, out, opt: tsProtoOptions }],
      };
      const args = ['generate', '.', '--template', JSON.stringify(template)];
      for (const p of input.paths) args.push('--path', p);
      const label = `${tree.show(path.join(input.moduleDir, ...input.paths))} -> ${tree.show(out)}`;
      const result = await buf(args, input.moduleDir);
      if (result.code !== 0) {
        outcome.problems.push(`${label}: buf generate failed:\n${indent(result.stderr || result.stdout)}`);
      } else {
        fixGrpcJsTypeImports(out);
        outcome.notes.push(`${label} (${plural(protoFiles(path.join(input.moduleDir, ...input.paths)).length, 'file')})`);
      }
    }
  }
  return outcome;
}

/**
 * sha256 of everything gen reads: this script (its options and post-processing), the installed
 * buf and ts-proto, the plan, and every .proto and buf config of each module it generates from
 * (a whole module, since a file may import any other file of it).
 * @param {Tree} tree
 * @param {GenTarget[]} targets
 */
function genFingerprint(tree, targets) {
  const hash = createHash('sha256');
  /** @param {string} label @param {string | Buffer} data */
  const add = (label, data) => {
    hash.update(`${label}\0${Buffer.byteLength(data)}\0`);
    hash.update(data);
  };
  add('script', readFileSync(scriptFile));
  add('ts-proto options', JSON.stringify(tsProtoOptions));
  for (const pkg of ['ts-proto', '@bufbuild/buf']) add(`version of ${pkg}`, installedVersion(pkg));
  const plan = targets.map(({ out, inputs }) => ({
    out: tree.show(out),
    inputs: inputs.map(({ moduleDir, paths }) => ({ moduleDir: tree.show(moduleDir), paths })),
  }));
  add('plan', JSON.stringify(plan));
  const moduleDirs = [...new Set(targets.flatMap(({ inputs }) => inputs.map((input) => input.moduleDir)))].sort();
  for (const moduleDir of moduleDirs) {
    const configs = ['buf.yaml', 'buf.lock'].filter((name) => existsSync(path.join(moduleDir, name)));
    for (const rel of [...configs, ...protoFiles(moduleDir)]) {
      const file = path.join(moduleDir, ...rel.split('/'));
      add(tree.show(file), readFileSync(file));
    }
  }
  return hash.digest('hex');
}

/** @param {string} pkg @returns {string} its version in this repository's node_modules, or "missing" */
function installedVersion(pkg) {
  const manifest = path.join(toolRoot, 'node_modules', ...pkg.split('/'), 'package.json');
  return existsSync(manifest) ? String(JSON.parse(readFileSync(manifest, 'utf8')).version) : 'missing';
}

/**
 * Why gen must run again, or undefined when the last gen read the same inputs and every file
 * it wrote is still there, unchanged, with nothing else beside it.
 * @param {Tree} tree
 * @param {GenTarget[]} targets
 * @param {string} fingerprint
 * @returns {string | undefined}
 */
function whyStale(tree, targets, fingerprint) {
  const stamp = readGenStamp(tree);
  if (stamp === undefined) return `no record of an earlier gen in ${tree.show(tree.genStamp)}`;
  if (stamp.fingerprint !== fingerprint) return 'what it reads changed (.proto files, buf config, tool versions, options or targets)';
  const now = outputHashes(tree, targets);
  for (const file of Object.keys(stamp.outputs)) {
    if (!(file in now)) return `${file} is missing`;
    if (now[file] !== stamp.outputs[file]) return `${file} was changed`;
  }
  const extra = Object.keys(now).find((file) => !(file in stamp.outputs));
  return extra === undefined ? undefined : `${extra} was not written by gen`;
}

/**
 * sha256 of every file in the targets' output directories, by path shown from the root.
 * @param {Tree} tree
 * @param {GenTarget[]} targets
 * @returns {Record<string, string>}
 */
function outputHashes(tree, targets) {
  /** @type {Record<string, string>} */
  const hashes = {};
  for (const { out } of targets) {
    if (!existsSync(out)) continue;
    for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      hashes[tree.show(file)] = createHash('sha256').update(readFileSync(file)).digest('hex');
    }
  }
  return hashes;
}

/** @param {Tree} tree @returns {GenStamp | undefined} undefined when missing or unreadable */
function readGenStamp(tree) {
  try {
    const stamp = JSON.parse(readFileSync(tree.genStamp, 'utf8'));
    const valid = typeof stamp?.fingerprint === 'string' && typeof stamp.outputs === 'object' && stamp.outputs !== null;
    return valid ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** @param {Tree} tree @param {GenStamp} stamp */
function writeGenStamp(tree, stamp) {
  mkdirSync(path.dirname(tree.genStamp), { recursive: true });
  writeFileSync(tree.genStamp, `${JSON.stringify(stamp, null, 2)}\n`);
}

// The one post-processing step. ts-proto 1.181.2 (the last 1.x) imports these grpc-js names as
// values although grpc-js exports them as types only; they appear as soon as an rpc streams.
// Under our `verbatimModuleSyntax` that is error TS1484, and at run time Node would reject the
// import of a name grpc-js does not export. No ts-proto option changes it (its own type-only
// markers are hard-coded per name), so the script adds `type` to exactly these specifiers.
// A ts-proto that already marks them makes this a no-op.
const grpcJsTypeOnly = new Set([
  'ClientReadableStream',
  'ClientWritableStream',
  'ClientDuplexStream',
  'handleServerStreamingCall',
  'handleClientStreamingCall',
  'handleBidiStreamingCall',
]);

/** @param {string} dir */
function fixGrpcJsTypeImports(dir) {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(/import \{([^}]*)\} from "@grpc\/grpc-js";/g, (_all, /** @type {string} */ names) => {
      const specifiers = names.split(',').map((spec) => {
        const name = spec.trim();
        return grpcJsTypeOnly.has(name) ? spec.replace(name, `type ${name}`) : spec;
      });
      return `import {${specifiers.join(',')}} from "@grpc/grpc-js";`;
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

/** @param {Tree} tree @returns {Promise<Outcome>} */
async function lint(tree) {
  /** @type {Outcome} */
  const outcome = { problems: [], notes: [] };
  const roots = [tree.protos, ...copyRoots(tree)];
  for (const moduleDir of roots) {
    const shown = tree.show(moduleDir);
    if (!existsSync(path.join(moduleDir, 'buf.yaml'))) {
      outcome.problems.push(`${shown}/buf.yaml is missing: copy one from another consumer's protos/ directory (it holds the lint settings)`);
      continue;
    }
    const result = await buf(['lint', '.', '--error-format', 'json'], moduleDir);
    if (result.code === 0) {
      outcome.notes.push(`${shown}: ok`);
      continue;
    }
    const annotations = parseAnnotations(result.stdout);
    for (const a of annotations) {
      outcome.problems.push(`${location(tree, moduleDir, a)}: ${a.message}${ruleOf(a)}`);
    }
    if (annotations.length === 0 || result.stderr.trim() !== '') {
      outcome.problems.push(`${shown}: buf lint failed:\n${indent(result.stderr || result.stdout)}`);
    }
  }
  return outcome;
}

/** @param {Tree} tree @returns {Promise<Outcome>} */
async function breaking(tree) {
  /** @type {Outcome} */
  const outcome = { problems: [], notes: [] };
  const shownBaseline = tree.show(tree.baseline);
  if (!existsSync(tree.baseline)) {
    outcome.problems.push(`${shownBaseline} is missing: create it with \`node scripts/protos.mjs baseline\``);
    return outcome;
  }
  const result = await buf(['breaking', '.', '--against', tree.baseline, '--error-format', 'json'], tree.protos);
  if (result.code !== 0) {
    const annotations = parseAnnotations(result.stdout);
    for (const a of annotations) {
      outcome.problems.push(
        a.type === 'COMPILE'
          ? `${location(tree, tree.protos, a)}: does not compile: ${a.message}`
          : `${location(tree, tree.protos, a)}: breaks the released contract ${shownBaseline}: ${a.message}${ruleOf(a)}`,
      );
    }
    if (annotations.length === 0 || result.stderr.trim() !== '') {
      outcome.problems.push(`buf breaking against ${shownBaseline} failed:\n${indent(result.stderr || result.stdout)}`);
    }
    if (annotations.some((a) => a.type !== 'COMPILE')) {
      outcome.problems.push(
        `if this break is deliberate (every consumer copy updated, no such message left in any queue), ` +
          `rewrite the baseline with \`node scripts/protos.mjs baseline\` and commit it`,
      );
    }
    return outcome;
  }
  const current = await buildImage(tree);
  if (current.ok && canonical(current.image) !== canonical(JSON.parse(readFileSync(tree.baseline, 'utf8')))) {
    outcome.notes.push(
      `protos/ has compatible changes that ${shownBaseline} does not hold yet: ` +
        `run \`node scripts/protos.mjs baseline\` and commit it with them, so later changes are checked against them`,
    );
  } else {
    outcome.notes.push(`protos/ matches ${shownBaseline}`);
  }
  return outcome;
}

/** @param {Tree} tree @returns {Promise<Outcome>} */
async function baseline(tree) {
  /** @type {Outcome} */
  const outcome = { problems: [], notes: [] };
  const built = await buildImage(tree);
  if (!built.ok) {
    outcome.problems.push(`buf build ${tree.show(tree.protos)} failed:\n${indent(built.error)}`);
    return outcome;
  }
  // Pretty-printed so that a contract change shows up as a readable diff in review.
  writeFileSync(tree.baseline, `${JSON.stringify(built.image, null, 2)}\n`);
  outcome.notes.push(`wrote ${tree.show(tree.baseline)}`);
  return outcome;
}

/** @param {Tree} tree @returns {Promise<Outcome>} */
async function checkCopies(tree) {
  /** @type {Outcome} */
  const outcome = { problems: [], notes: [] };
  for (const copyRoot of copyRoots(tree)) {
    const shownRoot = tree.show(copyRoot);
    const files = protoFiles(copyRoot);
    let comparable = 0;
    for (const rel of files) {
      const copy = `${shownRoot}/${rel}`;
      const source = path.join(tree.protos, ...rel.split('/'));
      if (!/^[a-z][a-z0-9_-]*\/v[0-9]+\/[^/]+\.proto$/.test(rel)) {
        outcome.problems.push(`${copy}: a copy must be <emitter>/v<N>/<file>.proto, as its source in protos/`);
      } else if (!existsSync(source)) {
        outcome.problems.push(
          `${copy}: its source ${tree.show(source)} no longer exists; the emitter deleted or moved it, ` +
            `so this consumer is pinned to a contract nobody emits`,
        );
      } else {
        comparable++;
        if (!readFileSync(source).equals(readFileSync(path.join(copyRoot, ...rel.split('/'))))) {
          outcome.notes.push(`${copy} differs from ${tree.show(source)} (checked for wire compatibility below)`);
        }
      }
    }
    if (comparable === 0) continue;
    // The source (protos/, the newer side) is checked against the copy (the pinned, older side).
    // protos/ holds more files than the copy: files only in the source count as additions, which
    // no rule objects to, so only what the copy has is compared. A file only in the copy was
    // reported above. The rules come from --config, not from protos/buf.yaml.
    const config = JSON.stringify({ version: 'v2', breaking: { use: copyRules } });
    const result = await buf(
      ['breaking', '.', '--against', copyRoot, '--config', config, '--error-format', 'json'],
      tree.protos,
    );
    if (result.code === 0) {
      outcome.notes.push(`${shownRoot}: ${plural(comparable, 'copy', 'copies')} wire-compatible with protos/`);
      continue;
    }
    const annotations = parseAnnotations(result.stdout);
    for (const a of annotations) {
      if (a.type === 'COMPILE' || a.path === undefined || path.isAbsolute(a.path)) {
        // Not a comparison result: one side does not build (paths of the copy come absolute).
        outcome.problems.push(`${location(tree, tree.protos, a)}: does not compile: ${a.message}`);
        continue;
      }
      // A violation is reported on the source file; the copy has the same relative path.
      outcome.problems.push(
        `${shownRoot}/${a.path}: not wire-compatible with its source ${location(tree, tree.protos, a)}: ` +
          `${a.message}${ruleOf(a)}`,
      );
    }
    if (annotations.length === 0 || result.stderr.trim() !== '') {
      outcome.problems.push(
        `${shownRoot}: could not compare with ${tree.show(tree.protos)}:\n${indent(result.stderr || result.stdout)}`,
      );
    }
  }
  return outcome;
}

/** @param {Tree} tree @returns {Promise<{ ok: true, image: unknown } | { ok: false, error: string }>} */
async function buildImage(tree) {
  // Imports (the well-known types) stay in, so the image is self-contained; source info is left
  // out: it only holds comments and positions, which are not part of the contract.
  const result = await buf(['build', '.', '--exclude-source-info', '-o', '-#format=json'], tree.protos);
  if (result.code !== 0) return { ok: false, error: result.stderr || result.stdout };
  return { ok: true, image: JSON.parse(result.stdout) };
}

/** @param {Tree} tree @returns {string[]} consumer copy roots that exist */
function copyRoots(tree) {
  return tree
    .services()
    .map((svc) => tree.copyRoot(svc))
    .filter((dir) => existsSync(dir) && statSync(dir).isDirectory());
}

/** @param {unknown} value */
function canonical(value) {
  return JSON.stringify(value);
}

/**
 * buf --error-format json prints one annotation per line.
 * @param {string} stdout
 * @returns {{ path?: string, start_line?: number, start_column?: number, type?: string, message: string }[]}
 */
function parseAnnotations(stdout) {
  const annotations = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line);
      if (parsed && typeof parsed.message === 'string') annotations.push(parsed);
    } catch {
      annotations.push({ message: line });
    }
  }
  return annotations;
}

/**
 * `file:line:column` of an annotation, relative to the tree root. buf gives paths relative to the
 * module it ran in, or absolute ones for files outside it.
 * @param {Tree} tree
 * @param {string} moduleDir
 * @param {{ path?: string, start_line?: number, start_column?: number }} a
 */
function location(tree, moduleDir, a) {
  const file = a.path === undefined ? tree.show(moduleDir) : tree.show(path.resolve(moduleDir, a.path));
  if (!a.start_line) return file;
  return a.start_column ? `${file}:${a.start_line}:${a.start_column}` : `${file}:${a.start_line}`;
}

/** @param {{ type?: string }} a */
function ruleOf(a) {
  return a.type ? ` [${a.type}]` : '';
}

/** @param {string} dir @returns {string[]} sorted names of the directories in dir */
function listDirs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** @param {string} dir @returns {string[]} .proto files under dir, relative, with forward slashes */
function protoFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.proto'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * @param {string[]} args
 * @param {string} cwd
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function buf(args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(bufBin, args, {
      cwd,
      env: { ...process.env, BUF_LOG_FORMAT: 'text', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) =>
      reject(new Error(`cannot run ${bufBin} (is @bufbuild/buf installed? run npm install)`, { cause: error })),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * Print an outcome and turn it into an exit code.
 * @param {string} step
 * @param {Outcome} outcome
 */
function report(step, outcome) {
  for (const note of outcome.notes) console.log(`protos ${step}: ${note}`);
  if (outcome.problems.length === 0) {
    console.log(`protos ${step}: ${outcome.done ?? 'ok'}`);
    return 0;
  }
  console.error(`protos ${step}: ${plural(outcome.problems.length, 'problem')}`);
  for (const problem of outcome.problems) console.error(`  ${problem}`);
  return 1;
}

/** @param {number} n @param {string} one @param {string} [many] */
function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** @param {string} text */
function indent(text) {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}

/** @param {string} message @param {number} code */
function fail(message, code) {
  console.error(message);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
