import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { publicKeyOf } from '@trellis/platform/crypto/sealed-box';
import { SERVICES } from '../catalog.js';
import { readInstanceState } from '../doctor/instance-state.js';
import { serviceEnv } from '../local/service-env.js';
import type { LocalSettings } from '../local/settings.js';
import { compressor, type Compression } from './compression.js';
import { dumpDatabase, schemaVersion } from './databases.js';
import { Measure, measureFile } from './hashing.js';
import { FORMAT_VERSION, KEYS_PART, MANIFEST_NAME, databasePart, objectPart, type Manifest, type Part } from './manifest.js';
import { listObjects, readObject } from './objects.js';
import { openStore } from './store.js';
import { writeEnd, writeEntry } from './tar.js';
import { trellisVersion } from './version.js';

export type BackupOptions = { readonly output: string; readonly compression: Compression; readonly includeKeys: boolean };
export type BackupResult =
  | { readonly kind: 'done'; readonly file: string; readonly manifest: Manifest; readonly bytes: number }
  | { readonly kind: 'refused'; readonly reason: string };

const bytesText = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`);
export { bytesText };

/**
 * Why parts first go to a temporary directory: the manifest, with every part's size and sha256,
 * is the archive's FIRST entry, so that a restore (and a person with `tar tf`) reads what the
 * archive holds before anything else, and checks each part as it comes. The checksums are known
 * only once a part was read, and a running platform keeps writing, so reading each part twice
 * (once to hash, once to archive) could archive bytes other than those hashed. Each part is
 * therefore streamed once into a file of the temporary directory (next to the output, so on the
 * same disk) while it is hashed; then the manifest and the files are streamed into the archive.
 * Memory stays flat; the disk needs room for the parts twice while the backup runs.
 */
export async function runBackup(settings: LocalSettings, env: NodeJS.ProcessEnv, options: BackupOptions, progress: (text: string) => void, now = () => new Date()): Promise<BackupResult> {
  const state = readInstanceState(settings, env);
  if (state.kind === 'none') return { kind: 'refused', reason: state.reason };
  const { instance, secrets } = state;
  if (!secrets) return { kind: 'refused', reason: `${settings.paths.secretsFile} lacks ${state.missing.join(', ')}` };
  const work = await mkdtemp(join(dirname(options.output), '.trellis-backup-'));
  const store = await openStore(settings, secrets, env, progress);
  try {
    const parts: Part[] = [];
    const files = new Map<string, string>();
    const schemas: Record<string, string | null> = {};
    await mkdir(join(work, 'databases'));
    await mkdir(join(work, 'objects'));
    for (const service of SERVICES) {
      const url = serviceEnv(settings, secrets, service, undefined)['TRELLIS_DATABASE_URL'] ?? '';
      const path = databasePart(service.name);
      const file = join(work, 'databases', `${service.name}.dump`);
      schemas[service.name] = await schemaVersion(url);
      await dumpDatabase(url, file);
      const measured = await measureFile(file);
      parts.push({ path, ...measured });
      files.set(path, file);
      progress(`database ${service.name}: ${bytesText(measured.size)} (schema ${schemas[service.name] ?? 'none'})`);
    }
    let count = 0;
    let total = 0;
    for await (const { key } of listObjects(store.client, store.bucket)) {
      const file = join(work, 'objects', String(count));
      const measure = new Measure();
      try {
        await pipeline(await readObject(store.client, store.bucket, key), measure, createWriteStream(file, { mode: 0o600 }));
      } catch (error) {
        // A running platform deletes objects too (a run's temporary files): one listed, then gone, is left out.
        if ((error as { code?: string }).code !== 'NoSuchKey') throw error;
        progress(`object ${key} was deleted while the backup ran: left out`);
        await rm(file, { force: true });
        continue;
      }
      const path = objectPart(key);
      parts.push({ path, size: measure.size, sha256: measure.digest() });
      files.set(path, file);
      count += 1;
      total += measure.size;
      if (count % 100 === 0) progress(`objects: ${count} (${bytesText(total)})`);
    }
    progress(`objects: ${count} (${bytesText(total)})`);
    if (options.includeKeys) {
      const measured = await measureFile(settings.paths.secretsFile);
      parts.push({ path: KEYS_PART, ...measured });
      files.set(KEYS_PART, settings.paths.secretsFile);
    }
    let runnerPublicKey: string | null = null;
    try {
      runnerPublicKey = publicKeyOf(secrets.runnerSealingKey);
    } catch {
      runnerPublicKey = null;
    }
    const manifest: Manifest = {
      format: FORMAT_VERSION,
      instance: { name: instance.name, id: instance.id },
      trellisVersion: trellisVersion(settings.root),
      schemas,
      createdAt: now().toISOString(),
      keys: { secretKeyCheck: instance.secretKeyCheck, runnerPublicKey, included: options.includeKeys },
      parts,
    };
    const partial = `${options.output}.partial`;
    const archive = new PassThrough();
    const written = pipeline(archive, compressor(options.compression), createWriteStream(partial, { mode: 0o600 }));
    const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const writing = (async () => {
      await writeEntry(archive, MANIFEST_NAME, text.length, [text]);
      let done = 0;
      for (const part of parts) {
        await writeEntry(archive, part.path, part.size, createReadStream(files.get(part.path) ?? ''));
        done += part.size;
        if (part.size > 16 * 1024 * 1024) progress(`archived ${part.path} (${bytesText(done)} so far)`);
      }
      await writeEnd(archive);
      archive.end();
    })();
    // A failure of either side ends both.
    await Promise.all([writing.catch((error: unknown) => { archive.destroy(error as Error); throw error; }), written]);
    await rename(partial, options.output);
    const { size } = await stat(options.output);
    return { kind: 'done', file: options.output, manifest, bytes: size };
  } finally {
    await store.close();
    await rm(work, { recursive: true, force: true });
    await rm(`${options.output}.partial`, { force: true });
  }
}
