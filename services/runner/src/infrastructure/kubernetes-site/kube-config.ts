import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * The cluster the site works on, found as kubectl finds it: the first existing file of KUBECONFIG,
 * else ~/.kube/config, else the pod's service account (the runner inside the cluster). The
 * environment comes in as an argument (the client's own loadFromDefault reads process.env).
 * Throws when there is none: a runner told to use the kubernetes site cannot start without it.
 */
export function loadKubeConfig(env: Readonly<Record<string, string | undefined>>): KubeConfig {
  const home = env['HOME'] ?? homedir();
  const files = [...(env['KUBECONFIG'] ?? '').split(':').filter((file) => file !== ''), join(home, '.kube', 'config')];
  const file = files.find((candidate) => existsSync(candidate));
  const inCluster = (env['KUBERNETES_SERVICE_HOST'] ?? '') !== '';
  // Without any of them the client would fall back to http://localhost:8080: not a cluster anyone set up.
  if (file === undefined && !inCluster) throw new Error('the kubernetes site has no cluster: no kubeconfig (KUBECONFIG, ~/.kube/config) and not inside a cluster');
  const config = new KubeConfig();
  if (file !== undefined) config.loadFromFile(file);
  else config.loadFromCluster();
  if (config.getCurrentCluster() === null) throw new Error(`the kubeconfig ${file ?? '(in-cluster)'} names no current cluster`);
  return config;
}
