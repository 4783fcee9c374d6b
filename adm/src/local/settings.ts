import { join, resolve } from 'node:path';
import { SERVICES, portEnvOf, type ServiceName } from '../catalog.js';
import { chooseInstanceName } from '../instance/instance-file.js';
import { bucketOf } from '../instance/instance.js';
import { defaultStateDir, repoRoot, statePaths, type StatePaths } from '../paths.js';

/** Everything about a local instance that the environment may change. */
export type LocalSettings = {
  readonly root: string;
  readonly paths: StatePaths;
  /** Local ports; each has an env var to move it (see `portVars`). */
  readonly gatewayPort: number;
  readonly s3Port: number;
  readonly servicePorts: Readonly<Record<ServiceName, number>>;
  readonly pgHost: string;
  readonly pgPort: number;
  readonly amqpHost: string;
  readonly amqpPort: number;
  /** The instance's name (TRELLIS_INSTANCE, or the one in .trellis/instance.json, or derived from the paths). */
  readonly instanceName: string;
  /** Role, database, broker user names are `<namePrefix>_<service>`; the vhost is `<namePrefix>`: the instance name. */
  readonly namePrefix: string;
  readonly vhost: string;
  readonly bucket: string;
  readonly region: string;
  /** Where `<service>/dist/main.js` and `migrate.js` are. */
  readonly servicesDir: string;
  /** The built web UI, served at /app/. */
  readonly webuiDist: string;
  /**
   * Where the services and the object store run: `thread` (the default) in worker threads of the
   * supervisor's process, `process` each in a process of its own (TRELLIS_LOCAL_SERVICES).
   */
  readonly runIn: 'thread' | 'process';
  /**
   * The standard library for the repository service: by default the release's actions/ folder
   * (TRELLIS_STANDARD_LIBRARY_DIR; the service commits it into a repository of its own), or the
   * URL of a repository the operator names in the shell (TRELLIS_STANDARD_LIBRARY_URL; `off` for none).
   */
  readonly standardLibrary: { readonly dir: string } | { readonly url: string };
};

function runInFrom(env: NodeJS.ProcessEnv): 'thread' | 'process' {
  const raw = env['TRELLIS_LOCAL_SERVICES'] ?? 'threads';
  if (raw === 'threads' || raw === '') return 'thread';
  if (raw === 'processes') return 'process';
  throw new Error(`TRELLIS_LOCAL_SERVICES=${raw}: say threads (the services in one process, the default) or processes (one process each)`);
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a port number (1-65535)`);
  return port;
}

export function localSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const root = repoRoot();
  const paths = statePaths(defaultStateDir(env));
  const { name } = chooseInstanceName(paths.dir, root, env);
  return {
    root,
    paths,
    gatewayPort: portFrom(env, 'TRELLIS_PORT', 8080),
    s3Port: portFrom(env, 'TRELLIS_S3_PORT', 9000),
    servicePorts: Object.fromEntries(SERVICES.map((s) => [s.name, portFrom(env, portEnvOf(s.name), s.defaultPort)])) as Record<ServiceName, number>,
    pgHost: env['TRELLIS_PG_HOST'] ?? '127.0.0.1',
    pgPort: portFrom(env, 'TRELLIS_PG_PORT', 5432),
    amqpHost: env['TRELLIS_AMQP_HOST'] ?? '127.0.0.1',
    amqpPort: portFrom(env, 'TRELLIS_AMQP_PORT', 5672),
    instanceName: name,
    namePrefix: name,
    vhost: name,
    bucket: env['TRELLIS_S3_BUCKET'] ?? bucketOf(name),
    region: env['TRELLIS_S3_REGION'] ?? 'us-east-1',
    servicesDir: resolve(env['TRELLIS_SERVICES_DIR'] ?? join(root, 'services')),
    webuiDist: resolve(env['TRELLIS_WEBUI_DIST'] ?? join(root, 'webui', 'dist')),
    runIn: runInFrom(env),
    standardLibrary: env['TRELLIS_STANDARD_LIBRARY_URL']
      ? { url: env['TRELLIS_STANDARD_LIBRARY_URL'] }
      : { dir: resolve(env['TRELLIS_STANDARD_LIBRARY_DIR'] || join(root, 'actions')) },
  };
}

/** Every local port with the variable that moves it, for the "port in use" message. */
export function portVars(settings: LocalSettings): { name: string; port: number; envVar: string }[] {
  return [
    { name: 'gateway', port: settings.gatewayPort, envVar: 'TRELLIS_PORT' },
    { name: 'object store', port: settings.s3Port, envVar: 'TRELLIS_S3_PORT' },
    ...SERVICES.map((s) => ({ name: s.name, port: settings.servicePorts[s.name], envVar: portEnvOf(s.name) })),
  ];
}
