import { resolve } from 'node:path';
import { runBackup, bytesText } from '../backup/run-backup.js';
import type { Compression } from '../backup/compression.js';
import { localSettingsFromEnv } from '../local/settings.js';
import type { Output } from './output.js';

const USAGE = 'usage: trellis-adm backup [-o FILE] [--compress gzip|zstd|none] [--include-keys] [--json]';

type Parsed = { output: string | undefined; compression: Compression; includeKeys: boolean; json: boolean } | { problem: string };

export function parseBackupArgs(args: readonly string[]): Parsed {
  let output: string | undefined;
  let compression: Compression = 'gzip';
  let includeKeys = false;
  let json = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '-o' || arg === '--output') {
      output = args[i + 1];
      i += 1;
      if (!output) return { problem: `${arg} needs a file name` };
    } else if (arg === '--compress') {
      const value = args[i + 1];
      i += 1;
      if (value !== 'gzip' && value !== 'zstd' && value !== 'none') return { problem: `--compress takes gzip, zstd or none (not ${value ?? 'nothing'})` };
      compression = value;
    } else if (arg === '--include-keys') includeKeys = true;
    else if (arg === '--json') json = true;
    else return { problem: `unknown: ${arg}` };
  }
  return { output, compression, includeKeys, json };
}

const extension: Record<Compression, string> = { gzip: '.tar.gz', zstd: '.tar.zst', none: '.tar' };

/**
 * One archive of the instance: manifest.json, every service database, every object of its bucket
 * (docs/operations.md, "Backup and restore"). Progress on stderr, the archive's name on stdout.
 */
export async function backup(out: Output, args: readonly string[], env: NodeJS.ProcessEnv = process.env, progress = (text: string) => process.stderr.write(`trellis: ${text}\n`)): Promise<number> {
  const parsed = parseBackupArgs(args);
  if ('problem' in parsed) {
    out.line(`${USAGE} (${parsed.problem})`);
    return 2;
  }
  const settings = localSettingsFromEnv(env);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = resolve(parsed.output ?? `trellis-backup-${settings.instanceName}-${stamp}${extension[parsed.compression]}`);
  if (parsed.includeKeys) progress(`WARNING: --include-keys: ${file} will hold the instance's secret keys (${settings.paths.secretsFile}); whoever reads it can open every secret: keep it as safe as the keys themselves`);
  progress(`backing up instance ${settings.instanceName} into ${file}`);
  const result = await runBackup(settings, env, { output: file, compression: parsed.compression, includeKeys: parsed.includeKeys }, progress);
  if (result.kind === 'refused') {
    out.line(`trellis: backup refused: ${result.reason}`);
    return 1;
  }
  const { manifest } = result;
  const objects = manifest.parts.filter((p) => p.path.startsWith('objects/'));
  if (parsed.json) {
    out.line(JSON.stringify({ file: result.file, bytes: result.bytes, manifest: { ...manifest, parts: manifest.parts.length } }, null, 2));
  } else {
    out.line(`${result.file}`);
    out.line(`  ${bytesText(result.bytes)}: ${manifest.parts.length - objects.length - (manifest.keys.included ? 1 : 0)} databases, ${objects.length} objects (${bytesText(objects.reduce((n, p) => n + p.size, 0))})${manifest.keys.included ? ', the secret keys' : ''}`);
    out.line(`  opens with TRELLIS_SECRET_KEY check ${manifest.keys.secretKeyCheck ?? '(none recorded)'} and the runner sealing key of public key ${manifest.keys.runnerPublicKey ?? '(none)'}${manifest.keys.included ? ' (both inside)' : ' (not inside: keep .trellis/secrets.env safe apart)'}`);
  }
  return 0;
}

/**
 * A backup for another command (`update` takes one first): the same archive as `trellis-adm
 * backup` (gzip, no keys) in `directory`; its path, or an Error saying why none was made.
 */
export async function takeBackup(directory: string, env: NodeJS.ProcessEnv = process.env, progress = (text: string) => process.stderr.write(`trellis: ${text}\n`)): Promise<{ readonly path: string }> {
  const settings = localSettingsFromEnv(env);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = resolve(directory, `trellis-backup-${settings.instanceName}-${stamp}${extension.gzip}`);
  const result = await runBackup(settings, env, { output: file, compression: 'gzip', includeKeys: false }, progress);
  if (result.kind === 'refused') throw new Error(`backup refused: ${result.reason}`);
  return { path: result.file };
}
