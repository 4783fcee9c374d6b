// Proves that the contract checks in scripts/protos.mjs bite. Each test builds a throwaway tree
// laid out like the repository (protos/ plus one consumer copy), breaks it on purpose, and runs
// the real script on it with --root.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(repoRoot, 'scripts', 'protos.mjs');

const sourceFile = 'protos/authorization/v1/events.proto';
const copyFile = 'services/studio/protos/authorization/v1/events.proto';

let root = '';

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'trellis-protos-'));
  cpSync(path.join(repoRoot, 'protos'), path.join(root, 'protos'), { recursive: true });
  cpSync(path.join(repoRoot, 'services/studio/protos'), path.join(root, 'services/studio/protos'), { recursive: true });
  mkdirSync(path.join(root, 'services/authorization'), { recursive: true });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function run(command: string, ...options: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [script, command, '--root', root, ...options], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Replace exactly one occurrence, so that a test cannot pass because its edit silently missed. */
function edit(file: string, from: string, to: string): void {
  const full = path.join(root, file);
  const text = readFileSync(full, 'utf8');
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`expected exactly one ${JSON.stringify(from)} in ${file}, found ${count}`);
  writeFileSync(full, text.replace(from, to));
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/**
 * Like the repository: ES modules, and protobufjs and long resolved from node_modules. The
 * packages are linked one by one, so that node_modules/.cache (where gen keeps its record) is
 * the tree's own and not the repository's.
 */
function layOutForGen(): void {
  write('package.json', '{ "private": true, "type": "module" }\n');
  mkdirSync(path.join(root, 'node_modules'));
  for (const name of readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (name !== '.cache') symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(root, 'node_modules', name));
  }
}

describe('check-copies', () => {
  it('passes on the pristine tree, and so does the whole check', () => {
    expect(run('check-copies')).toMatchObject({ status: 0 });
    const check = run('check');
    expect(check.output).toContain('protos check-copies: ok');
    expect(check.status).toBe(0);
  });

  it('fails when a copy changed the type of a field, naming the copy', () => {
    edit(copyFile, 'string created_by = 4;', 'int64 created_by = 4;');
    const { status, output } = run('check-copies');
    expect(status).toBe(1);
    expect(output).toContain(`${copyFile}: not wire-compatible with its source ${sourceFile}:`);
    expect(output).toContain('FIELD_WIRE_COMPATIBLE_TYPE');
  });

  it('fails when a copy changed the number of a field', () => {
    edit(copyFile, 'string name = 3;', 'string name = 5;');
    const { status, output } = run('check-copies');
    expect(status).toBe(1);
    expect(output).toContain(copyFile);
    expect(output).toContain('FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED');
  });

  it('fails when a copy still has a message that the source dropped', () => {
    // Same as: both had ProjectArchived, then the emitter deleted it from the source.
    write(
      copyFile,
      `${readFileSync(path.join(root, copyFile), 'utf8')}
// ProjectArchived is no longer emitted.
message ProjectArchived {
  // Common event metadata.
  EventMeta meta = 1;
}
`,
    );
    const { status, output } = run('check-copies');
    expect(status).toBe(1);
    expect(output).toContain(copyFile);
    expect(output).toMatch(/ProjectArchived.*\[MESSAGE_NO_DELETE\]/);
  });

  it('fails when the source file of a copy no longer exists', () => {
    write(
      'services/studio/protos/authorization/v1/admin.proto',
      'syntax = "proto3";\npackage trellis.authorization.v1;\n// Gone from the source.\nmessage AdminActed {}\n',
    );
    const { status, output } = run('check-copies');
    expect(status).toBe(1);
    expect(output).toContain(
      'services/studio/protos/authorization/v1/admin.proto: its source protos/authorization/v1/admin.proto no longer exists',
    );
  });

  it('passes when the source only added a field', () => {
    edit(sourceFile, '  string created_by = 4;\n', '  string created_by = 4;\n  // Optional description.\n  string description = 5;\n');
    expect(run('check-copies')).toMatchObject({ status: 0 });
    const breaking = run('breaking');
    expect(breaking.status).toBe(0);
    expect(breaking.output).toContain('does not hold yet');
  });
});

describe('lint', () => {
  it('fails on a violation in the source, naming the file and the rule', () => {
    edit(sourceFile, '  string created_by = 4;\n', '  string created_by = 4;\n  // Bad name.\n  string CreatedAt = 5;\n');
    const { status, output } = run('lint');
    expect(status).toBe(1);
    expect(output).toMatch(/protos\/authorization\/v1\/events\.proto:\d+:\d+: .*\[FIELD_LOWER_SNAKE_CASE\]/);
  });

  it('fails on a violation in a copy, naming the copy', () => {
    edit(copyFile, 'message EventMeta {', '// Bad name.\nmessage event_meta {}\n\nmessage EventMeta {');
    const { status, output } = run('lint');
    expect(status).toBe(1);
    expect(output).toMatch(/services\/studio\/protos\/authorization\/v1\/events\.proto:\d+:\d+: .*\[MESSAGE_PASCAL_CASE\]/);
  });
});

describe('breaking', () => {
  it('fails when the source deletes a field of the released contract, until the baseline is rewritten', () => {
    edit(sourceFile, '  string created_by = 4;\n', '');
    const broken = run('breaking');
    expect(broken.status).toBe(1);
    expect(broken.output).toContain(`${sourceFile}:`);
    expect(broken.output).toContain('FIELD_NO_DELETE');
    expect(run('baseline')).toMatchObject({ status: 0 });
    expect(run('breaking')).toMatchObject({ status: 0 });
  });
});

describe('gen', () => {
  beforeEach(() => {
    layOutForGen();
  });

  it('generates code that compiles under our tsconfig and round-trips a ProjectCreated in plain Node', () => {
    const stale = path.join(root, 'services/studio/src/infrastructure/pb/stale.ts');
    write(path.relative(root, stale), 'export {};\n');
    const gen = run('gen');
    expect(gen.status, gen.output).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(path.join(root, 'services/authorization/src/infrastructure/pb/authorization/v1/events.ts'))).toBe(true);

    // Type-check (and emit) the consumer's generated code with the repository's compiler options.
    const pbDir = path.join(root, 'services/studio/src/infrastructure/pb');
    const outDir = path.join(root, 'out');
    const base = ts.readConfigFile(path.join(repoRoot, 'tsconfig.base.json'), (file) => ts.sys.readFile(file));
    const converted = ts.convertCompilerOptionsFromJson(base.config.compilerOptions, repoRoot);
    const program = ts.createProgram({
      rootNames: [path.join(pbDir, 'authorization/v1/events.ts')],
      options: {
        ...converted.options,
        composite: false,
        declaration: false,
        sourceMap: false,
        noUnusedLocals: true,
        rootDir: pbDir,
        outDir,
      },
    });
    const emitted = program.emit();
    const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
      ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }),
    );
    expect(diagnostics).toEqual([]);

    // Run the emitted JavaScript in a plain Node ESM process, the way a service runs it.
    write(
      'out/roundtrip.mjs',
      `import * as pb from './authorization/v1/events.js';
const message = pb.ProjectCreated.create({
  meta: { eventId: 'e-1', occurredAt: new Date('2025-01-02T03:04:05.678Z'), projectId: 'p-1', traceId: 't-1' },
  projectId: 'p-1',
  name: 'Demo',
  createdBy: 'u-1',
});
const bytes = pb.ProjectCreated.encode(message).finish();
const back = pb.ProjectCreated.decode(bytes);
console.log(JSON.stringify({
  hex: Buffer.from(bytes).toString('hex'),
  isDate: back.meta.occurredAt instanceof Date,
  occurredAt: back.meta.occurredAt.toISOString(),
  back,
}));
`,
    );
    const node = spawnSync(process.execPath, [path.join(outDir, 'roundtrip.mjs')], { encoding: 'utf8' });
    expect(node.stderr).toBe('');
    const result = JSON.parse(node.stdout) as {
      hex: string;
      isDate: boolean;
      occurredAt: string;
      back: { projectId: string; name: string; createdBy: string; meta: { eventId: string; traceId: string } };
    };
    expect(result.isDate).toBe(true);
    expect(result.occurredAt).toBe('2025-01-02T03:04:05.678Z');
    expect(result.back).toMatchObject({
      projectId: 'p-1',
      name: 'Demo',
      createdBy: 'u-1',
      meta: { eventId: 'e-1', traceId: 't-1', projectId: 'p-1' },
    });

    // The bytes are the contract's, not just self-consistent: decode them with an independent
    // reader built from the .proto text by protobufjs reflection.
    const timestamp = protobuf.common.get('google/protobuf/timestamp.proto');
    if (timestamp === null) throw new Error('protobufjs lacks google/protobuf/timestamp.proto');
    const reflected = protobuf
      .parse(readFileSync(path.join(root, copyFile), 'utf8'), protobuf.Root.fromJSON(timestamp), { keepCase: true })
      .root.lookupType('trellis.authorization.v1.ProjectCreated');
    const decoded = reflected.toObject(reflected.decode(Buffer.from(result.hex, 'hex')), { longs: String });
    expect(decoded).toEqual({
      meta: { event_id: 'e-1', occurred_at: { seconds: '1735787045', nanos: 678000000 }, project_id: 'p-1', trace_id: 't-1' },
      project_id: 'p-1',
      name: 'Demo',
      created_by: 'u-1',
    });
  });

  it('generates the contract a package owns (package.json trellis.protos) into its src/infrastructure/pb/', () => {
    write('packages/action-wrapper/package.json', JSON.stringify({ name: '@trellis/action-wrapper', trellis: { protos: ['action'] } }));
    write('packages/action-wrapper/src/infrastructure/pb/stale.ts', 'export {};\n');
    write('packages/other/package.json', JSON.stringify({ name: '@trellis/other' }));
    write(
      'protos/action/v1/action.proto',
      `syntax = "proto3";
package trellis.action.v1;
service ActionService {
  rpc Listen(ListenRequest) returns (stream ListenResponse);
}
message ListenRequest {}
message ListenResponse {}
`,
    );
    const gen = run('gen');
    expect(gen.status, gen.output).toBe(0);
    expect(gen.output).toContain('protos/action -> packages/action-wrapper/src/infrastructure/pb (1 file)');
    const code = readFileSync(path.join(root, 'packages/action-wrapper/src/infrastructure/pb/action/v1/action.ts'), 'utf8');
    expect(code).toContain('export const ActionServiceService');
    expect(code).toMatch(/type handleServerStreamingCall/);
    expect(existsSync(path.join(root, 'packages/action-wrapper/src/infrastructure/pb/stale.ts'))).toBe(false);
    expect(existsSync(path.join(root, 'packages/other/src'))).toBe(false);
  });

  it('fails gen when a package claims a contract directory that holds no .proto', () => {
    write('packages/action-wrapper/package.json', JSON.stringify({ trellis: { protos: ['nothing-here'] } }));
    const gen = run('gen');
    expect(gen.status).toBe(1);
    expect(gen.output).toContain('packages/action-wrapper/package.json: trellis.protos names nothing-here, but protos/nothing-here holds no .proto file');
    // Not skipped as up to date the second time: it fails the same way.
    expect(run('gen')).toMatchObject({ status: 1 });
  });

  it('marks the grpc-js names that are types as type-only imports', () => {
    write(
      'services/runner/protos/buf.yaml',
      readFileSync(path.join(root, 'services/studio/protos/buf.yaml'), 'utf8'),
    );
    write(
      'services/runner/protos/action/v1/wrapper.proto',
      `syntax = "proto3";
package trellis.action.v1;
service WrapperService {
  rpc Run(RunRequest) returns (RunResponse);
  rpc Watch(RunRequest) returns (stream RunResponse);
  rpc Upload(stream RunRequest) returns (RunResponse);
  rpc Chat(stream RunRequest) returns (stream RunResponse);
}
message RunRequest {}
message RunResponse {}
`,
    );
    const gen = run('gen');
    expect(gen.status, gen.output).toBe(0);
    const code = readFileSync(path.join(root, 'services/runner/src/infrastructure/pb/action/v1/wrapper.ts'), 'utf8');
    const grpcImport = /import \{([^}]*)\} from "@grpc\/grpc-js";/.exec(code)?.[1] ?? '';
    const names = grpcImport.split(',').map((spec) => spec.trim());
    for (const name of ['ClientReadableStream', 'ClientWritableStream', 'ClientDuplexStream', 'handleServerStreamingCall']) {
      expect(names).toContain(`type ${name}`);
    }
    expect(names).toContain('makeGenericClientConstructor');
  });
});

describe('gen skips what has nothing to do', () => {
  const generated = 'services/studio/src/infrastructure/pb/authorization/v1/events.ts';

  beforeEach(() => {
    layOutForGen();
    const first = run('gen');
    expect(first.status, first.output).toBe(0);
    expect(existsSync(path.join(root, 'node_modules/.cache/trellis/protos-gen.json'))).toBe(true);
  });

  function mtimeOf(file: string): number {
    return statSync(path.join(root, file)).mtimeMs;
  }

  it('says in one line that it is up to date when nothing it reads changed, and writes nothing', () => {
    const before = mtimeOf(generated);
    const second = run('gen');
    expect(second.status).toBe(0);
    expect(second.output.trim().split('\n')).toEqual([
      expect.stringMatching(/^protos gen: up to date \(\d+ generated files; .*--force regenerates\)$/),
    ]);
    expect(mtimeOf(generated)).toBe(before);
  });

  it('regenerates when a .proto it reads changed', () => {
    edit(copyFile, '  string created_by = 4;\n', '  string created_by = 4;\n  // Optional description.\n  string description = 5;\n');
    const again = run('gen');
    expect(again.status, again.output).toBe(0);
    expect(again.output).toContain('protos gen: regenerating: what it reads changed');
    expect(readFileSync(path.join(root, generated), 'utf8')).toContain('description: string');
  });

  it('regenerates when a file it wrote is missing, changed, or joined by one it did not write', () => {
    const original = readFileSync(path.join(root, generated), 'utf8');
    rmSync(path.join(root, generated));
    expect(run('gen').output).toContain(`regenerating: ${generated} is missing`);
    expect(readFileSync(path.join(root, generated), 'utf8')).toBe(original);

    write(generated, `${original}// edited by hand\n`);
    expect(run('gen').output).toContain(`regenerating: ${generated} was changed`);
    expect(readFileSync(path.join(root, generated), 'utf8')).toBe(original);

    write('services/studio/src/infrastructure/pb/stale.ts', 'export {};\n');
    expect(run('gen').output).toContain('regenerating: services/studio/src/infrastructure/pb/stale.ts was not written by gen');
    expect(existsSync(path.join(root, 'services/studio/src/infrastructure/pb/stale.ts'))).toBe(false);
  });

  it('regenerates with --force, and refuses --force for another command', () => {
    const before = mtimeOf(generated);
    const forced = run('gen', '--force');
    expect(forced.status, forced.output).toBe(0);
    expect(forced.output).toContain('regenerating: forced (--force)');
    expect(mtimeOf(generated)).toBeGreaterThan(before);
    expect(run('lint', '--force')).toMatchObject({ status: 2 });
  });
});
