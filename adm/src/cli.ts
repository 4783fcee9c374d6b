#!/usr/bin/env node
import { backup } from './commands/backup.js';
import { doctor } from './commands/doctor.js';
import { down } from './commands/down.js';
import { env } from './commands/env.js';
import { install } from './commands/install.js';
import { keys } from './commands/keys.js';
import { logs } from './commands/logs.js';
import { makeConsoleOutput } from './commands/output.js';
import { provision } from './commands/provision.js';
import { reset } from './commands/reset.js';
import { restore } from './commands/restore.js';
import { status } from './commands/status.js';
import { up } from './commands/up.js';
import { update } from './commands/update.js';

const USAGE = `trellis-adm: run and administer Trellis

  trellis-adm up               provision, start everything in the background, wait until ready
  trellis-adm down             stop everything that up started (data stays in .trellis/)
  trellis-adm reset [--yes]    start over: stop, drop this instance's databases, roles, vhost, broker
                               users and bucket, remove .trellis/ (asks first unless --yes)
  trellis-adm status           each process: state, pid, restarts, health
  trellis-adm logs [name] [-f] the last log lines (of one process), -f to follow
  trellis-adm provision        only create databases, roles, broker users, exchanges (and bucket)
  trellis-adm env <service>    the variables up gives a service, as shell exports (with its secrets)
  trellis-adm doctor [--json]  checks databases, broker, queues, dead letters, outboxes, stuck runs and
                               builds, object store, disk and keys; one line each; exit 0 only when no FAIL
  trellis-adm update [-o BACKUP_FILE] [--start] [--json]
                               a backup first (kept), then stop, migrate every service in order, start again
                               (a stopped platform stays stopped unless --start); a failed migration
                               stops it, saying which and how to restore the backup
  trellis-adm backup [-o FILE] [--compress gzip|zstd|none] [--include-keys]
                               one verified archive: manifest, every database, every object (no keys)
  trellis-adm restore FILE [--wipe] [--yes] [--json]
                               checks the whole archive, then restores it into this stopped instance
  trellis-adm keys runner      a new key pair for compose or Kubernetes: the runner's sealing key and
                               the public key studio seals secrets to (TRELLIS_RUNNER_SEALING_KEY=...,
                               TRELLIS_RUNNER_PUBLIC_KEY=...); up makes its own
  trellis-adm install --target kubernetes [--namespace NS] [--values FILE] [--dry-run] [--timeout S]
                               render infra/k8s for this release with a new Secret and apply it to the
                               kubeconfig's cluster (server-side apply), waiting for the Deployments;
                               no cluster: the manifests it would apply, secrets redacted

Ports: TRELLIS_PORT (gateway, 8080), TRELLIS_S3_PORT (9000), TRELLIS_<SERVICE>_PORT (8101-8105).
Processes: the object store and the five services run in threads of the supervisor's process;
TRELLIS_LOCAL_SERVICES=processes runs each in a process of its own.
Instance: its name prefixes every database, role, vhost, broker user and bucket; kept in
.trellis/instance.json, derived from the checkout's path at first, or TRELLIS_INSTANCE.
`;

// A reader that stops early (`trellis-adm status | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const out = makeConsoleOutput();
  switch (command) {
    case 'up':
      return up(out);
    case 'down':
      return down(out);
    case 'status':
      return status(out);
    case 'logs':
      return logs(out, args);
    case 'provision':
      return provision(out);
    case 'reset':
      return reset(out, args);
    case 'env':
      return env(out, args);
    case 'update':
      return update(out, args);
    case 'keys':
      return keys(out, args);
    case 'doctor':
      return doctor(out, args);
    case 'backup':
      return backup(out, args);
    case 'restore':
      return restore(out, args);
    case 'install':
      return install(args);
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`trellis: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trellis: error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
