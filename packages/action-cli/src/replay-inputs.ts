import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ActionDefinition, JsonValue } from '@trellis/action-manifest/definition';
import { convert, type LocalInput } from './inputs.js';
import type { Replay } from './replay-api.js';

/** How a secret the server kept is obtained: from `--secret NAME=VALUE`, or asked (undefined: cannot ask). */
export type SecretSource = { readonly given: ReadonlyMap<string, string>; readonly ask: ((name: string) => Promise<string>) | undefined };

export type ReplayInputs = { ok: true; inputs: LocalInput[]; warnings: string[] } | { ok: false; problems: string[] };

type RemoteFile = { url: string; name: string };

const isRemoteFile = (value: JsonValue | undefined): value is RemoteFile & JsonValue =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value['url'] === 'string' && typeof value['name'] === 'string';

/** `--secret NAME=VALUE` pairs by name; a pair without `=` is a problem. */
export function parseSecretPairs(pairs: readonly string[]): { ok: true; secrets: Map<string, string> } | { ok: false; problem: string } {
  const secrets = new Map<string, string>();
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 1) return { ok: false, problem: `--secret takes NAME=VALUE, got "${pair.slice(0, 40)}${equals < 0 ? '' : '='}..."` };
    secrets.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  return { ok: true, secrets };
}

/** Streams a presigned download to `path` (a directory arrives as a tar archive and is unpacked into it). */
async function download(file: RemoteFile, path: string, kind: 'file' | 'directory'): Promise<void> {
  const response = await fetch(file.url);
  if (!response.ok || !response.body) throw new Error(`downloading ${file.name} failed: ${response.status} (a link lasts 15 minutes: run the replay again)`);
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  if (kind === 'file') return pipeline(body, createWriteStream(path));
  await mkdir(path, { recursive: true });
  const tar = spawn('tar', ['-xf', '-', '-C', path], { stdio: ['pipe', 'ignore', 'inherit'] });
  const closed = new Promise<number | null>((resolve) => tar.on('close', resolve));
  await pipeline(body, tar.stdin);
  if ((await closed) !== 0) throw new Error(`unpacking the directory ${file.name} failed`);
}

async function secretValue(name: string, source: SecretSource): Promise<string | undefined> {
  return source.given.get(name) ?? (source.ask ? source.ask(name) : undefined);
}

/**
 * The recorded inputs as `trellis-action run` takes them, typed by the local action: each file
 * or directory downloaded under `dir`, each secret given or asked for. The local declarations
 * decide the types: an input the folder no longer declares is left out with a warning, one it
 * declares that the attempt did not have takes its default.
 */
export async function replayInputs(replay: Replay, definition: ActionDefinition, dir: string, source: SecretSource): Promise<ReplayInputs> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const inputs: LocalInput[] = [];
  const missing = replay.secrets.filter((name) => !source.given.has(name));
  if (missing.length > 0 && !source.ask) {
    return { ok: false, problems: missing.map((name) => `the input ${name} held a secret, which is never downloaded: give it with --secret ${name}=VALUE`) };
  }
  for (const io of definition.inputs) {
    if (io.injected !== undefined) continue;
    const recorded = replay.inputs[io.name];
    if (replay.secrets.includes(io.name)) {
      const raw = await secretValue(io.name, source);
      if (raw === undefined) continue;
      const converted = convert(io, raw);
      if ('problem' in converted) problems.push(converted.problem);
      else inputs.push({ name: io.name, kind: 'value', type: io.type, value: converted.value });
    } else if (io.type === 'file' || io.type === 'directory') {
      if (isRemoteFile(recorded)) {
        const path = join(dir, String(inputs.length), basename(recorded.name) || io.name);
        await mkdir(join(dir, String(inputs.length)), { recursive: true });
        await download(recorded, path, io.type);
        inputs.push({ name: io.name, kind: io.type, path });
      } else if (recorded !== undefined && recorded !== null) {
        problems.push(`the recorded ${io.name} is not a file the server gave a link to: ${JSON.stringify(recorded).slice(0, 80)}`);
      }
    } else if (recorded !== undefined) {
      inputs.push({ name: io.name, kind: 'value', type: io.type, value: recorded });
    } else if (io.default !== undefined) {
      inputs.push({ name: io.name, kind: 'value', type: io.type, value: io.default });
    }
  }
  for (const name of Object.keys(replay.inputs)) {
    if (!definition.inputs.some((io) => io.name === name)) warnings.push(`the recorded input ${name} is not an input of the local action: left out`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, inputs, warnings };
}
