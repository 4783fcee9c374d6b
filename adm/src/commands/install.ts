import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyManifests, loadCluster, probeCluster, type ApplyFailure, type Cluster } from '../install/apply.js';
import { dryRunYaml } from '../install/dry-run.js';
import { readInfraFiles } from '../install/infra-files.js';
import { renderManifests } from '../install/render.js';
import { EXTERNAL_SECRET_KEYS, secretValues, type Generators } from '../install/secret-values.js';
import { parseValues } from '../install/values.js';
import { repoRoot } from '../paths.js';

const USAGE = 'usage: trellis-adm install --target kubernetes [--namespace NS] [--values FILE] [--dry-run] [--timeout SECONDS]';

export type InstallIo = {
  /** Results: the dry-run's YAML. */
  readonly stdout: (text: string) => void;
  /** Progress and errors. */
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly k8sDir: string;
  readonly cluster: () => Cluster;
  readonly generators?: Generators;
  readonly pollMs?: number;
};

const defaultIo = (): InstallIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  k8sDir: join(repoRoot(), 'infra', 'k8s'),
  cluster: () => loadCluster(),
});

type Args = { namespace?: string; valuesFile?: string; dryRun: boolean; timeoutSeconds: number };

function parseArgs(args: readonly string[]): Args | string {
  const out: Args = { dryRun: false, timeoutSeconds: 300 };
  let target: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = (): string | undefined => args[++i];
    if (arg === '--target') target = next();
    else if (arg === '--namespace') out.namespace = next();
    else if (arg === '--values') out.valuesFile = next();
    else if (arg === '--dry-run') out.dryRun = true;
    else if (arg === '--timeout') out.timeoutSeconds = Number(next());
    else return `unknown argument ${arg}`;
  }
  if (target !== 'kubernetes') return target === undefined ? '--target is required (kubernetes)' : `unknown target ${target} (kubernetes is the only one)`;
  if (out.namespace === '' || (args.includes('--namespace') && out.namespace === undefined)) return '--namespace needs a name';
  if (args.includes('--values') && out.valuesFile === undefined) return '--values needs a file';
  if (!Number.isFinite(out.timeoutSeconds) || out.timeoutSeconds <= 0) return '--timeout needs a number of seconds';
  return out;
}

/**
 * Renders infra/k8s for this release with its Secret and the `--values` changes, and applies it
 * to the cluster of the kubeconfig (docs/operations.md, "Install on Kubernetes"). Exit 0 when
 * applied and available, or for `--dry-run`; 1 when the cluster refuses, does not answer or the
 * Deployments do not become available; 2 for a usage or values mistake.
 */
export async function install(args: readonly string[], io: InstallIo = defaultIo()): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.stderr(`trellis-adm install: ${parsed}\n${USAGE}\n`);
    return 2;
  }
  let valuesText = '';
  if (parsed.valuesFile !== undefined) {
    try {
      valuesText = await readFile(parsed.valuesFile, 'utf8');
    } catch (error) {
      io.stderr(`trellis-adm install: ${parsed.valuesFile}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
      return 2;
    }
  }
  const values = parseValues(valuesText);
  if (!values.ok) {
    io.stderr(`trellis-adm install: ${parsed.valuesFile ?? 'values'}: ${values.error}\n`);
    return 2;
  }
  const merged = { ...values.values, ...(parsed.namespace !== undefined ? { namespace: parsed.namespace } : {}) };
  const given: Record<string, string | undefined> = Object.fromEntries(EXTERNAL_SECRET_KEYS.map((k) => [k, io.env[k]]));
  const secrets = secretValues({ ...given, ...merged.secrets }, io.generators);
  const objects = renderManifests({ infra: await readInfraFiles(io.k8sDir), values: merged, secretData: secrets.data });
  const missing = secrets.missing.length === 0 ? undefined : `the Secret lacks ${secrets.missing.join(', ')}: set them in the environment or under secrets: in --values`;

  if (parsed.dryRun) {
    io.stdout(dryRunYaml(objects));
    if (missing !== undefined) io.stderr(`trellis-adm install: warning: ${missing}\n`);
    io.stderr(`trellis-adm install: dry run: ${objects.length} objects in namespace ${objects[0]?.metadata.name ?? ''}, nothing applied\n`);
    return 0;
  }
  const cluster = io.cluster();
  const reachable = cluster.ok ? await probeCluster(cluster.kc) : cluster;
  if (!cluster.ok || !reachable.ok) {
    const where = cluster.ok ? ` at ${cluster.server}` : '';
    io.stderr(`trellis-adm install: no Kubernetes cluster answers${where}: ${reachable.ok ? '' : reachable.reason}; nothing applied. What would be applied (secrets redacted):\n`);
    io.stdout(dryRunYaml(objects));
    return 1;
  }
  if (missing !== undefined) {
    io.stderr(`trellis-adm install: ${missing}; nothing applied\n`);
    return 1;
  }
  io.stderr(`trellis-adm install: applying ${objects.length} objects to ${cluster.server} (Kubernetes ${reachable.version})\n`);
  const result = await applyManifests(cluster.kc, objects, {
    progress: (line) => io.stderr(`  - ${line}\n`),
    timeoutMs: parsed.timeoutSeconds * 1000,
    generatedSecretKeys: secrets.generated,
    ...(io.pollMs !== undefined ? { pollMs: io.pollMs } : {}),
  });
  if (!result.ok) {
    io.stderr(`${failureLines(result.error).join('\n')}\n`);
    return 1;
  }
  io.stderr(`trellis-adm install: installed; every Deployment is available\n`);
  return 0;
}

function failureLines(error: ApplyFailure): string[] {
  switch (error.type) {
    case 'Refused':
      return [`trellis-adm install: ${error.object}: refused by the cluster (HTTP ${error.code}): ${error.message}; the objects before it are applied`];
    case 'NotAvailable':
      return [
        `trellis-adm install: Deployment/${error.deployment} not available in time (${error.detail})`,
        ...(error.events.length === 0 ? ['  (no events about its pods)'] : error.events.map((e) => `  ${e}`)),
      ];
  }
}
