// What bench:engine runs on: a throwaway database migrated with the runner's migrations, the
// add-one artifact built and unpacked where the local site looks for it, chain workflows deployed
// as rows, and the runner's engine wired as start-runner wires it (wireEngine: the run store with
// its group committer and named statements, the read cache, the runner process row and its
// heartbeat, the takeover loop) over the real local site. No broker, no HTTP, no object store:
// add-one keeps no files and no large values, so nothing of the engine reaches the store.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pg from 'pg';
import winston from 'winston';

const root = path.resolve(import.meta.dirname, '../..');
const dist = (...parts) => import(path.join(root, ...parts));

export const RUNNER_DIST = path.join(root, 'services/runner/dist');

/**
 * The built modules the bench drives; a missing one means the workspace is not built. `runnerDist`:
 * the runner's built folder (another build of it, kept under the checkout so that its packages
 * resolve, to compare with).
 */
export async function loadBuilt(runnerDist = RUNNER_DIST) {
  const runner = (file) => import(path.join(runnerDist, file));
  try {
    return {
      runnerDist,
      wiring: await runner('infrastructure/engine-wiring.js'),
      localSite: await runner('infrastructure/local-site/local-site.js'),
      migrations: await runner('infrastructure/postgres/migrations.js'),
      projectValues: await runner('infrastructure/postgres/project-values.js'),
      readCache: await runner('infrastructure/read-cache.js'),
      runObjects: await runner('infrastructure/object-store/run-objects.js'),
      db: await dist('packages/platform/dist/postgres/db.js'),
      migrate: await dist('packages/platform/dist/postgres/migrate.js'),
      archive: await dist('packages/platform/dist/archive.js'),
      logger: await dist('packages/platform/dist/logger.js'),
      sealedBox: await dist('packages/platform/dist/crypto/sealed-box.js'),
    };
  } catch (error) {
    throw new Error(`the runner is not built in ${runnerDist} (run npm run build first): ${error.message}`, { cause: error });
  }
}

/** A superuser connection, as the tests make theirs: TRELLIS_TEST_PG_ADMIN_URL, else the OS user over the local socket. */
function adminUrl() {
  return process.env.TRELLIS_TEST_PG_ADMIN_URL ?? `postgresql://${encodeURIComponent(userInfo().username)}@localhost/postgres?host=/var/run/postgresql`;
}

async function withAdmin(work) {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for this run, migrated; `drop` removes it (forcing out any connection left). */
export async function createDatabase(built) {
  const name = `trellis_bench_engine_${randomBytes(5).toString('hex')}`;
  await withAdmin((admin) => admin.query(`create database ${pg.escapeIdentifier(name)}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const drop = () => withAdmin((admin) => admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
  try {
    const { db } = built.db.makeDatabase({ connectionString: url.toString(), applicationName: 'bench-engine-migrate', logger: quietLogger(built) });
    try {
      await built.migrate.migrateToLatest(db, built.migrations.migrations);
    } finally {
      await db.destroy();
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url: url.toString(), drop };
}

/** The runner's own JSON logger, writing where nothing reads: the formatting of any line logged is paid, as in production. */
function quietLogger(built) {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  return built.logger.makeLogger({ service: 'runner', transports: [new winston.transports.Stream({ stream: sink })] });
}

/** Builds the action with the builder's toolchain and unpacks it where the local site's artifact cache finds it by digest. */
export async function prepareAction(built, actionFolder, workDir) {
  const archive = path.join(workDir, 'add-one.tar.gz');
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'scripts/build-artifact.mjs'), path.join(root, actionFolder), archive], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const { digest, size, definition } = JSON.parse(stdout.trim());
  const folder = path.join(workDir, 'artifacts', digest);
  await mkdir(folder, { recursive: true });
  await built.archive.unpackChecked(archive, folder, { maxBytes: 1024 * 1024 * 1024, maxEntries: 100_000 });
  return {
    actionId: definition.id, version: definition.version, digest, artifactObject: `action-builder/artifacts/${digest}.tar.gz`, artifactSize: size,
    kind: definition.kind, runtime: definition.runtime, format: 'trellis', inputs: definition.inputs, outputs: definition.outputs, resources: { timeoutMs: 10_000 },
  };
}

/** A chain of `length` add-one steps, as the runner's tests and bench:platform write it: the result is n + length. */
export function chainDocument(name, length) {
  return {
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name, trigger: { type: 'http', path: name, inputs: [{ name: 'n', type: 'integer' }] },
    steps: Array.from({ length }, (_, i) => ({ id: `s${i}`, action: 'add-one@1.0.0', inputs: { n: i === 0 ? '${{ trigger.n }}' : `\${{ steps.s${i - 1}.n }}` } })),
    results: { n: `\${{ steps.s${length - 1}.n }}` },
  };
}

/** The project and its deployed, serving workflows, written as the deployment handlers leave them. */
export async function deployChains(db, action, lengths) {
  const projectId = randomUUID();
  const now = new Date();
  await db.insertInto('projects').values({ id: projectId, name: 'bench', created_at: now }).execute();
  const workflows = new Map();
  for (const length of lengths) {
    const workflowId = randomUUID();
    const name = `chain-${length}`;
    await db.insertInto('deployed_versions').values({
      workflow_id: workflowId, version: 1, project_id: projectId, name, checksum: 'c'.repeat(64), document: JSON.stringify(chainDocument(name, length)),
      actions: JSON.stringify([action]), files: '[]', received_at: now,
    }).execute();
    await db.insertInto('deployments').values({
      workflow_id: workflowId, project_id: projectId, name, version: 1, deployment_id: randomUUID(), status: 'active', serving_version: 1,
      trigger_type: 'http', http_path: name, trace_id: 'bench', updated_at: now,
    }).execute();
    workflows.set(length, workflowId);
  }
  return { projectId, workflows };
}

/** An object store that is never reached: the artifact is on disk already and add-one keeps no objects. */
function unreachableStore() {
  const refuse = async () => {
    throw new Error('bench:engine keeps no objects: the engine reached the object store');
  };
  return { bucket: 'bench', client: { getObject: refuse, putObject: refuse, statObject: refuse, presignedGetObject: refuse, presignedPutObject: refuse }, check: refuse, ensureBucket: refuse };
}

/**
 * The engine as start-runner wires it, on the database at `url`; `onConnection` sees each of its
 * pool's connections (named `applicationName` in pg_stat_activity) as it opens, before any statement. `stop` runs the closers in
 * reverse (as the lifecycle does), then stops the site (its wrapper process) and closes the pool.
 */
export async function startEngine(built, url, workDir, onConnection, applicationName) {
  const logger = quietLogger(built);
  const database = built.db.makeDatabase({ connectionString: url, applicationName, logger });
  database.pool.on('connect', onConnection);
  const closers = [];
  const runtime = { logger, db: database.db, pool: database.pool, lifecycle: { onShutdown: (name, close) => closers.push(close) } };
  const store = unreachableStore();
  const site = built.localSite.makeLocalSite(store, { workDir, concurrency: 32, idleMs: 600_000 }, logger);
  const reads = built.readCache.startReadCache({ connectionString: url, logger, ttlMs: built.readCache.READ_CACHE_TTL_MS });
  const opener = built.sealedBox.makeOpener(built.sealedBox.generateSealingKeyPair().privateKey);
  const values = built.readCache.cachingVariables(built.projectValues.makeProjectValues(database.db, opener), reads.cache);
  const wired = await built.wiring.wireEngine(runtime, {
    readCache: reads.cache, connectionString: url, site, values, objects: built.runObjects.makeRunObjects(store, 'runner'), inlineValueBytes: 65_536, leaseMs: 10_000,
  });
  return {
    engine: wired.engine, site, pool: database.pool, db: database.db,
    stop: async () => {
      for (const close of closers.reverse()) await close();
      await reads.stop();
      await site.stop();
      await database.close();
    },
  };
}

export async function makeWorkDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'trellis-bench-engine-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
