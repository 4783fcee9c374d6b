import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { publicKeyOf } from '@trellis/platform/crypto/sealed-box';
import { SERVICES, type ServiceName } from '../catalog.js';
import { readInstanceState } from '../doctor/instance-state.js';
import { migrateAll } from '../local/migrate-all.js';
import { localPlan } from '../local/plan.js';
import { serviceEnv } from '../local/service-env.js';
import type { LocalSettings } from '../local/settings.js';
import { runningSupervisor } from '../local/supervisor-control.js';
import type { Secrets } from '../secrets.js';
import { compressionOf, decompressor } from './compression.js';
import { emptyDatabase, restoreDatabase, rowCounts, schemaVersion } from './databases.js';
import { Measure, measureStream } from './hashing.js';
import { MANIFEST_NAME, compatibilityProblems, parseManifest, partProblems, type Manifest } from './manifest.js';
import { listObjects, removeAllObjects, writeObject } from './objects.js';
import { openStore, type OpenStore } from './store.js';
import { readEntries, TarDamaged, TarTruncated, type TarEntry } from './tar.js';
import { trellisVersion } from './version.js';

export type RestoreOptions = { readonly file: string; readonly wipe: boolean; readonly confirm: (question: string) => Promise<boolean> };

export type RestoreSummary = {
  readonly file: string;
  readonly from: { readonly instance: string; readonly id: string; readonly createdAt: string; readonly trellisVersion: string };
  readonly migrated: boolean;
  readonly tables: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly objects: number;
  readonly bytes: number;
  /**
   * Whether this instance's keys are the ones the backed-up data is sealed with (from the
   * manifest's check values); `different` keys cannot open its secrets and signing keys.
   */
  readonly keys: { readonly secretKey: KeyMatch; readonly runnerSealingKey: KeyMatch };
};

export type KeyMatch = 'same' | 'different' | 'unknown';

function keyMatch(backedUp: string | null, here: string | null): KeyMatch {
  if (backedUp === null || here === null) return 'unknown';
  return backedUp === here ? 'same' : 'different';
}

export type RestoreResult =
  | { readonly kind: 'restored'; readonly summary: RestoreSummary }
  /** Nothing was changed. */
  | { readonly kind: 'refused'; readonly reason: string; readonly hint?: string }
  | { readonly kind: 'cancelled' }
  /** Failed after it began to change the instance. */
  | { readonly kind: 'failed'; readonly reason: string; readonly hint: string };

/**
 * Tables a freshly provisioned and migrated instance already has rows in: not the operator's
 * data, so they do not make an instance "non-empty".
 */
const BOOKKEEPING = new Set(['kysely_migration', 'kysely_migration_lock']);

/** The archive's entries, decompressed as its first bytes say. */
async function* entriesOf(file: string): AsyncGenerator<TarEntry> {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(4);
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const raw = createReadStream(file);
  const plain = raw.pipe(decompressor(compressionOf(head)));
  raw.on('error', (error) => plain.destroy(error));
  try {
    yield* readEntries(plain as AsyncIterable<Buffer>);
  } finally {
    raw.destroy();
    plain.destroy();
  }
}

/** The entry's bytes through `measure`; an error of the entry (cut short) is the result's. */
function throughMeasure(body: NodeJS.ReadableStream & { on: (e: 'error', f: (error: Error) => void) => unknown }, measure: Measure): Measure {
  body.on('error', (error) => measure.destroy(error));
  return body.pipe(measure);
}

async function readAll(entry: TarEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** First pass: the manifest, and every part measured against it. Reads, never writes. */
export async function verifyArchive(file: string): Promise<{ manifest: Manifest } | { problem: string }> {
  let manifest: Manifest | undefined;
  const found = new Map<string, { size: number; sha256: string }>();
  const order: string[] = [];
  try {
    for await (const entry of entriesOf(file)) {
      order.push(entry.name);
      if (order.length === 1) {
        if (entry.name !== MANIFEST_NAME) return { problem: `the first entry is ${entry.name}, not ${MANIFEST_NAME}: not a Trellis backup` };
        if (entry.size > 512 * 1024 * 1024) return { problem: `${MANIFEST_NAME} is ${entry.size} bytes: not a Trellis backup` };
        const parsed = parseManifest((await readAll(entry)).toString('utf8'));
        if ('problem' in parsed) return parsed;
        manifest = parsed.manifest;
        continue;
      }
      // Read straight from the entry: its errors (cut short) end this loop.
      const measured = await measureStream(entry.body as AsyncIterable<Buffer>);
      if (found.has(entry.name)) return { problem: `${entry.name}: twice in the archive` };
      found.set(entry.name, measured);
    }
  } catch (error) {
    if (error instanceof TarTruncated) return { problem: `truncated: ${error.message}` };
    if (error instanceof TarDamaged) return { problem: `damaged: ${error.message}` };
    const message = error instanceof Error ? error.message : String(error);
    return { problem: `unreadable${order.length > 0 ? ` after ${order.at(-1)}` : ''}: ${message}` };
  }
  if (!manifest) return { problem: 'the archive is empty' };
  const problem = partProblems(manifest, found, order);
  return problem === undefined ? { manifest } : { problem };
}

function runnerPublicKeyOf(sealingKey: string): string | null {
  try {
    return publicKeyOf(sealingKey);
  } catch {
    return null;
  }
}

function urlOf(settings: LocalSettings, secrets: Secrets, service: ServiceName): string {
  const info = SERVICES.find((s) => s.name === service);
  return info ? (serviceEnv(settings, secrets, info, undefined)['TRELLIS_DATABASE_URL'] ?? '') : '';
}

/** What the instance holds beyond what provisioning and migrations make: a few words per finding. */
async function contents(settings: LocalSettings, secrets: Secrets, store: OpenStore): Promise<string[]> {
  const found: string[] = [];
  for (const service of SERVICES) {
    const counts = await rowCounts(urlOf(settings, secrets, service.name));
    const full = Object.entries(counts).filter(([table, n]) => n > 0 && !BOOKKEEPING.has(table));
    if (full.length > 0) found.push(`${service.name}: ${full.map(([table, n]) => `${table} ${n}`).join(', ')}`);
  }
  let objects = 0;
  for await (const _ of listObjects(store.client, store.bucket)) {
    objects += 1;
    if (objects >= 1000) break;
  }
  if (objects > 0) found.push(`bucket ${store.bucket}: ${objects >= 1000 ? 'over 1000' : objects} objects`);
  return found;
}

/**
 * Restores an archive into this instance. Nothing changes until the whole archive was read and
 * every part matched its manifest, the versions fit and the instance is empty (or --wipe was
 * confirmed). The platform must be stopped: services writing while their databases are replaced
 * would leave neither the old nor the backed-up state.
 */
export async function runRestore(settings: LocalSettings, env: NodeJS.ProcessEnv, options: RestoreOptions, progress: (text: string) => void): Promise<RestoreResult> {
  const state = readInstanceState(settings, env);
  if (state.kind === 'none') return { kind: 'refused', reason: state.reason, hint: '`make up` once, then `trellis-adm down`, sets one up to restore into' };
  const { secrets } = state;
  if (!secrets) return { kind: 'refused', reason: `${settings.paths.secretsFile} lacks ${state.missing.join(', ')}` };
  const supervisor = runningSupervisor(settings.paths.stateFile);
  if (supervisor) return { kind: 'refused', reason: `the platform is running (supervisor pid ${supervisor.pid}): a restore replaces the databases the services write`, hint: 'stop it first: `trellis-adm down` (then `trellis-adm up` after the restore)' };

  progress(`checking ${options.file}: every part against its manifest`);
  const verified = await verifyArchive(options.file);
  if ('problem' in verified) return { kind: 'refused', reason: `the archive is refused: ${verified.problem}`, hint: 'nothing was changed' };
  const { manifest } = verified;
  const here: Record<string, string | null> = {};
  for (const service of SERVICES) here[service.name] = await schemaVersion(urlOf(settings, secrets, service.name));
  const problems = compatibilityProblems(manifest, trellisVersion(settings.root), here);
  if (problems.length > 0) return { kind: 'refused', reason: `the archive is refused: ${problems.join('; ')}`, hint: 'nothing was changed' };
  progress(`archive good: ${manifest.parts.length} parts from instance ${manifest.instance.name} (${manifest.createdAt}, Trellis ${manifest.trellisVersion})`);

  const store = await openStore(settings, secrets, env, progress);
  const work = await mkdtemp(join(tmpdir(), 'trellis-restore-'));
  try {
    const found = await contents(settings, secrets, store);
    if (found.length > 0) {
      if (!options.wipe) return { kind: 'refused', reason: `the instance ${settings.instanceName} is not empty (${found.join('; ')})`, hint: 'restore into an empty instance, or add --wipe to replace what it holds' };
      if (!(await options.confirm(`wipe instance ${settings.instanceName} (${found.join('; ')}) and restore ${options.file}?`))) return { kind: 'cancelled' };
    }
    try {
      progress('emptying the databases and the bucket');
      for (const service of SERVICES) await emptyDatabase(urlOf(settings, secrets, service.name));
      await removeAllObjects(store.client, store.bucket);

      let objects = 0;
      let bytes = 0;
      const expected = new Map(manifest.parts.map((p) => [p.path, p]));
      for await (const entry of entriesOf(options.file)) {
        // Not read at all: readEntries skips it. (resume() would read it concurrently with that
        // skip, and a manifest longer than one chunk then broke the next header.)
        if (entry.name === MANIFEST_NAME) continue;
        const part = expected.get(entry.name);
        const measure = new Measure();
        if (entry.name.startsWith('databases/')) {
          const service = entry.name.slice('databases/'.length, -'.dump'.length) as ServiceName;
          const file = join(work, 'part.dump');
          await pipeline(entry.body, measure, createWriteStream(file, { mode: 0o600 }));
          if (measure.digest() !== part?.sha256) throw new Error(`${entry.name} changed since it was checked`);
          progress(`database ${service}: restoring`);
          await restoreDatabase(urlOf(settings, secrets, service), file);
        } else if (entry.name.startsWith('objects/')) {
          await writeObject(store.client, store.bucket, entry.name.slice('objects/'.length), throughMeasure(entry.body, measure), entry.size);
          if (measure.digest() !== part?.sha256) throw new Error(`${entry.name} changed since it was checked`);
          objects += 1;
          bytes += entry.size;
          if (objects % 100 === 0) progress(`objects: ${objects}`);
        }
        // Any other part (keys/secrets.env, for the operator to put back by hand: see
        // docs/operations.md) is left unread: readEntries skips it.
      }
      progress(`objects: ${objects} restored`);

      const migrating = Object.entries(manifest.schemas).some(([service, version]) => version !== here[service]);
      progress(migrating ? 'migrating the restored databases to this Trellis' : 'running the migrations (nothing should be pending)');
      await mkdir(settings.paths.logsDir, { recursive: true });
      await migrateAll(localPlan(settings, secrets, undefined, { command: 'true', args: [], accessLog: '' }, env), join(settings.paths.logsDir, 'migrate.log'));

      const tables: Record<string, Record<string, number>> = {};
      for (const service of SERVICES) tables[service.name] = await rowCounts(urlOf(settings, secrets, service.name));
      return {
        kind: 'restored',
        summary: {
          file: options.file,
          from: { instance: manifest.instance.name, id: manifest.instance.id, createdAt: manifest.createdAt, trellisVersion: manifest.trellisVersion },
          migrated: migrating,
          tables,
          objects,
          bytes,
          keys: {
            secretKey: keyMatch(manifest.keys.secretKeyCheck, state.instance.secretKeyCheck),
            runnerSealingKey: keyMatch(manifest.keys.runnerPublicKey, runnerPublicKeyOf(secrets.runnerSealingKey)),
          },
        },
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { kind: 'failed', reason: message, hint: `the instance is partly restored: fix the cause, then \`trellis-adm restore ${options.file} --wipe\` again` };
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    await store.close();
  }
}
