import type Docker from 'dockerode';

export type ActionsNetwork = { readonly name: string; readonly gateway: string };

type StatusError = Error & { statusCode?: number };

/**
 * The bridge network action containers join: one per instance, labelled, containers unable to
 * reach one another (no inter-container traffic). The host is its gateway: the store gateway
 * listens there, so presigned URLs work from inside a container.
 */
export async function ensureActionsNetwork(docker: Docker, name: string, labels: Readonly<Record<string, string>>): Promise<ActionsNetwork> {
  const found = await inspect(docker, name);
  const network = found ?? await create(docker, name, labels);
  const gateway = network.IPAM?.Config?.find((config) => typeof config.Gateway === 'string' && config.Gateway.includes('.'))?.Gateway;
  if (!gateway) throw new Error(`the Docker network ${name} has no IPv4 gateway`);
  return { name, gateway };
}

async function inspect(docker: Docker, name: string): Promise<Docker.NetworkInspectInfo | undefined> {
  try {
    return (await docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo;
  } catch (error) {
    if ((error as StatusError).statusCode === 404) return undefined;
    throw error;
  }
}

async function create(docker: Docker, name: string, labels: Readonly<Record<string, string>>): Promise<Docker.NetworkInspectInfo> {
  try {
    await docker.createNetwork({
      Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { ...labels },
      Options: { 'com.docker.network.bridge.enable_icc': 'false' },
    });
  } catch (error) {
    // Another runner process of the instance made it first.
    if ((error as StatusError).statusCode !== 409) throw error;
  }
  const made = await inspect(docker, name);
  if (!made) throw new Error(`the Docker network ${name} could not be made`);
  return made;
}
