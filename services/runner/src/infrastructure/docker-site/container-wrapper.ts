import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { WrapperHost } from '../local-site/action-process.js';
import type { ProcessExit } from '../local-site/wrapper-process.js';

/** The port the action image's wrapper serves on inside its container (its entrypoint says so). */
export const WRAPPER_PORT = 8080;

/** The wrapper's own limit, above the site's (the site's limit per container holds). */
const WRAPPER_CONCURRENCY = 1024;

export type ContainerSpec = {
  readonly image: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly network: string;
  /** host -> IP entries of the container's /etc/hosts (the store gateway's name). */
  readonly extraHosts: readonly string[];
  readonly cpu: number | undefined;
  readonly memoryBytes: number;
  readonly tmpBytes: number;
  readonly logLimitBytes: number;
  readonly startTimeoutMs: number;
  /** The instance's settings for actions (actionEnvironment). */
  readonly env: Readonly<Record<string, string>>;
};

type StatusError = Error & { statusCode?: number };
const statusOf = (error: unknown) => (error as StatusError).statusCode;

/**
 * One wrapper in a container of its own: read-only root file system (a tmpfs on /tmp), no
 * capabilities, no new privileges, memory and cpu limits, its gRPC port published on 127.0.0.1
 * only. Its stdin is attached and held: when the runner dies (kill -9 included), the attach
 * connection closes, stdin ends and the wrapper (TRELLIS_EXIT_WITH_STDIN) stops, and the
 * container with it. The first line the wrapper prints is its port: until then it is not served.
 */
export async function startContainerWrapper(docker: Docker, spec: ContainerSpec): Promise<WrapperHost & { readonly containerId: string }> {
  const container = await createContainer(docker, spec);
  const remove = () => container.remove({ force: true, v: true }).catch((error: unknown) => {
    if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
  });
  let log = '';
  const keep = (text: string) => {
    log = (log + text).slice(-spec.logLimitBytes);
  };
  try {
    const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode?: number }>;
    const exited: Promise<ProcessExit> = waited.then(
      (result) => ({ code: result.StatusCode ?? null, signal: result.StatusCode === 137 ? 'SIGKILL' as const : null }),
      () => ({ code: null, signal: null }),
    );
    const io = await container.attach({ stream: true, hijack: true, stdin: true, stdout: true, stderr: true });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    docker.modem.demuxStream(io, stdout, stderr);
    stderr.setEncoding('utf8').on('data', keep);
    io.on('error', () => undefined);
    const firstLine = readFirstLine(stdout, keep);
    await container.start();
    const stop = async (graceMs: number): Promise<ProcessExit> => {
      await container.stop({ t: Math.ceil(graceMs / 1000) }).catch(() => undefined);
      const exit = await Promise.race([exited, new Promise<ProcessExit>((resolve) => setTimeout(() => resolve({ code: null, signal: 'SIGKILL' }), graceMs + 5000))]);
      io.end();
      await remove();
      return exit;
    };
    const served = await withTimeout(firstLine, exited, spec.startTimeoutMs);
    if (!served.ok) {
      await stop(0);
      throw new Error(`${served.reason}${log ? `; its output:\n${log.slice(-2000)}` : ''}`);
    }
    const port = await publishedPort(container);
    return { pid: undefined, containerId: container.id, address: `127.0.0.1:${port}`, exited, log: () => log, stop };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** A reference to an image in a registry (its first part names a host: has a dot or a port, or is localhost). */
export function isRegistryReference(image: string): boolean {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/** Pulls an image of a registry into the engine (the builder pushed it there, TRELLIS_IMAGES=registry). */
async function pull(docker: Docker, image: string): Promise<void> {
  const stream = await docker.pull(image);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

async function createContainer(docker: Docker, spec: ContainerSpec): Promise<Docker.Container> {
  try {
    return await create(docker, spec);
  } catch (error) {
    if (statusOf(error) !== 404 || !isRegistryReference(spec.image)) throw missingImage(error, spec.image);
  }
  try {
    await pull(docker, spec.image);
  } catch (error) {
    throw new Error(`the image ${spec.image} cannot be pulled: ${(error as Error).message}`, { cause: error });
  }
  return create(docker, spec).catch((error: unknown) => {
    throw missingImage(error, spec.image);
  });
}

function missingImage(error: unknown, image: string): unknown {
  return statusOf(error) === 404 ? new Error(`the image ${image} is not in the Docker engine: build the action again with TRELLIS_IMAGES=docker on the action-builder`) : error;
}

function create(docker: Docker, spec: ContainerSpec): Promise<Docker.Container> {
  return docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Cmd: ['--concurrency', String(WRAPPER_CONCURRENCY)],
    Env: [...Object.entries(spec.env).map(([name, value]) => `${name}=${value}`), 'TRELLIS_EXIT_WITH_STDIN=1'],
    Labels: { ...spec.labels },
    AttachStdin: true, OpenStdin: true, StdinOnce: true, AttachStdout: true, AttachStderr: true, Tty: false,
    ExposedPorts: { [`${WRAPPER_PORT}/tcp`]: {} },
    HostConfig: {
      NetworkMode: spec.network,
      PortBindings: { [`${WRAPPER_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      ExtraHosts: [...spec.extraHosts],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,nosuid,nodev,mode=1777,size=${spec.tmpBytes}` },
      Memory: spec.memoryBytes,
      MemorySwap: spec.memoryBytes,
      ...(spec.cpu !== undefined ? { NanoCpus: Math.round(spec.cpu * 1e9) } : {}),
      PidsLimit: 512,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      RestartPolicy: { Name: 'no' },
    },
  });
}

/** The first line of stdout (the wrapper's port); what follows goes to the log. */
function readFirstLine(stdout: PassThrough, keep: (text: string) => void): Promise<string> {
  return new Promise((resolve) => {
    let buffered = '';
    let found = false;
    stdout.setEncoding('utf8').on('data', (text: string) => {
      if (found) return keep(text);
      buffered += text;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      found = true;
      keep(buffered.slice(newline + 1));
      resolve(buffered.slice(0, newline));
    });
  });
}

async function withTimeout(firstLine: Promise<string>, exited: Promise<ProcessExit>, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    firstLine.then((line) => (/^\d+$/.test(line.trim()) ? { ok: true as const } : { ok: false as const, reason: `the wrapper's first line is not a port: ${JSON.stringify(line.slice(0, 80))}` })),
    exited.then((exit) => ({ ok: false as const, reason: `the container exited (code ${String(exit.code)}) before its wrapper served` })),
    new Promise<{ ok: false; reason: string }>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `the wrapper did not serve within ${timeoutMs} ms` }), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

async function publishedPort(container: Docker.Container): Promise<number> {
  const info = await container.inspect();
  const binding = info.NetworkSettings.Ports[`${WRAPPER_PORT}/tcp`]?.[0];
  const port = Number(binding?.HostPort);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`the container's port ${WRAPPER_PORT} is not published`);
  return port;
}
