import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this admin tool belongs to (adm/src or adm/dist -> the repository root). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Everything a local instance keeps; the whole tree is gitignored and only ever written by trellis-adm. */
export type StatePaths = {
  readonly dir: string;
  /** The instance's name and id (see instance/instance.ts). */
  readonly instanceFile: string;
  readonly secretsFile: string;
  readonly adminPasswordFile: string;
  readonly stateFile: string;
  readonly planFile: string;
  readonly logsDir: string;
  readonly supervisorOutFile: string;
  readonly s3Dir: string;
  readonly minioDir: string;
  readonly nginxDir: string;
  readonly webuiPlaceholderDir: string;
};

export function statePaths(dir: string): StatePaths {
  return {
    dir,
    instanceFile: join(dir, 'instance.json'),
    secretsFile: join(dir, 'secrets.env'),
    adminPasswordFile: join(dir, 'admin-password'),
    stateFile: join(dir, 'state.json'),
    planFile: join(dir, 'supervisor.json'),
    logsDir: join(dir, 'logs'),
    supervisorOutFile: join(dir, 'logs', 'supervisor.out'),
    s3Dir: join(dir, 's3'),
    minioDir: join(dir, 'minio'),
    nginxDir: join(dir, 'nginx'),
    webuiPlaceholderDir: join(dir, 'webui-placeholder'),
  };
}

/** `.trellis/` at the repository root unless TRELLIS_STATE_DIR points elsewhere. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['TRELLIS_STATE_DIR'] ?? join(repoRoot(), '.trellis'));
}
