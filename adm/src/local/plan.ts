import { join } from 'node:path';
import { CONFIG_ERROR_EXIT_CODE } from '@trellis/platform/main-guard';
import { SERVICES, healthPathOf } from '../catalog.js';
import { repoRoot } from '../paths.js';
import type { Secrets } from '../secrets.js';
import { baseEnv, objectStoreEndpoint, serviceEnv } from './service-env.js';
import type { LocalSettings } from './settings.js';
import type { ChildSpec, SupervisorPlan } from './supervisor-plan.js';

export type GatewayCommand = { readonly command: string; readonly args: readonly string[]; readonly accessLog: string };

/**
 * What the supervisor runs for a local instance, in start order: the object store, then each
 * service (migrated before every start), then nginx as the gateway.
 */
export function localPlan(
  settings: LocalSettings,
  secrets: Secrets,
  adminPassword: string | undefined,
  gateway: GatewayCommand,
  env: NodeJS.ProcessEnv = process.env,
  options: { setupDone?: boolean } = {},
): SupervisorPlan {
  const base = baseEnv(env);
  const node = process.execPath;
  const objectStore: ChildSpec = {
    name: 'object-store',
    runIn: settings.runIn,
    command: node,
    args: [join(repoRoot(), 'adm', 'dist', 'local', 'object-store-server.js')],
    cwd: settings.root,
    env: {
      ...base,
      TRELLIS_S3_HOST: '127.0.0.1',
      TRELLIS_S3_PORT: String(settings.s3Port),
      TRELLIS_S3_DATA_DIR: settings.paths.dir,
      TRELLIS_S3_ACCESS_KEY: secrets.s3AccessKey,
      TRELLIS_S3_SECRET_KEY: secrets.s3SecretKey,
      TRELLIS_S3_BUCKET: settings.bucket,
      TRELLIS_S3_REGION: settings.region,
    },
    // s3rver answers 403 and Minio 400/403 to an anonymous GET /: any answer means it listens.
    ready: { url: `${objectStoreEndpoint(settings)}/`, anyStatus: true },
    health: { url: `${objectStoreEndpoint(settings)}/`, anyStatus: true },
  };
  const services = SERVICES.map((service): ChildSpec => {
    const dist = join(settings.servicesDir, service.name, 'dist');
    const health = { url: `http://127.0.0.1:${settings.servicePorts[service.name]}${healthPathOf(service)}` };
    return {
      name: service.name,
      runIn: settings.runIn,
      command: node,
      args: ['--enable-source-maps', join(dist, 'main.js')],
      cwd: join(settings.servicesDir, service.name),
      env: { ...base, ...serviceEnv(settings, secrets, service, adminPassword) },
      setup: [{ name: 'migrate', command: node, args: ['--enable-source-maps', join(dist, 'migrate.js')] }],
      ...(service.usesObjectStore ? { dependsOn: ['object-store'] } : {}),
      ready: health,
      health,
      // A service that cannot start as configured (main-guard) would fail the same way again.
      fatalExitCodes: [CONFIG_ERROR_EXIT_CODE],
    };
  });
  const gatewayHealth = { url: `http://127.0.0.1:${settings.gatewayPort}/healthz` };
  const nginx: ChildSpec = {
    name: 'gateway',
    command: gateway.command,
    args: gateway.args,
    cwd: settings.paths.nginxDir,
    env: base,
    stdoutFile: gateway.accessLog,
    ready: gatewayHealth,
    health: gatewayHealth,
  };
  return {
    stateFile: settings.paths.stateFile,
    logsDir: settings.paths.logsDir,
    children: [objectStore, ...services, nginx],
    stopTimeoutMs: 25_000,
    restart: { initialDelayMs: 1_000, maxDelayMs: 30_000, resetAfterMs: 60_000 },
    logMaxBytes: 10 * 1024 * 1024,
    ...(options.setupDone ? { setupDone: true } : {}),
    meta: { gatewayUrl: `http://localhost:${settings.gatewayPort}`, root: settings.root, instance: settings.instanceName },
  };
}
