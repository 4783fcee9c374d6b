// Test support for action images: the base image made by infra/images/build-base.sh, a container
// of an action image as a site runs it (read-only root, /tmp a tmpfs, uid 10001, the wrapper's port
// published on 127.0.0.1 only), and a gRPC client of the wrapper inside it.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentials, Metadata } from '@grpc/grpc-js';
import Docker from 'dockerode';
import * as pb from '@trellis/action-wrapper/infrastructure/pb/action/v1/action';
import { eventually } from '@trellis/platform/testing/eventually';
import type { StepContext } from '../src/application/ports.js';
import * as Build from '../src/domain/build.js';

const run = promisify(execFile);

export const BUILD_BASE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../infra/images/build-base.sh');

/** A label on every container and image the image tests make, so they can be found and removed. */
export const TEST_LABEL = 'dev.trellis.test';

/** Runs infra/images/build-base.sh; its stdout and stderr. A Docker engine that cannot be reached fails the test, with the script's words. */
export async function buildBase(args: readonly string[] = []): Promise<{ reference: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('bash', [BUILD_BASE, ...args], { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
    const reference = stdout.trim().split('\n').at(-1) ?? '';
    return { reference, stderr };
  } catch (error) {
    const failed = error as { stderr?: string; message: string };
    throw new Error(`infra/images/build-base.sh failed; the image tests need the Docker engine (/var/run/docker.sock): ${failed.stderr ?? failed.message}`);
  }
}

export const docker = () => new Docker();

export type ActionContainer = { port: number; logs: () => Promise<string>; remove: () => Promise<void> };

/** A container of `image` as the docker site starts one: read-only, /tmp a tmpfs, as 10001, port 8080 on 127.0.0.1. */
export async function startActionContainer(engine: Docker, image: string): Promise<ActionContainer> {
  const container = await engine.createContainer({
    Image: image,
    User: '10001:10001',
    Labels: { [TEST_LABEL]: 'images' },
    HostConfig: {
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' },
      PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
    },
  });
  const remove = () => container.remove({ force: true }).then(() => undefined, () => undefined);
  try {
    await container.start();
    const info = await eventually(() => container.inspect(), (found) => Boolean(found.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort), 10_000);
    const port = Number(info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort);
    const logs = async () => String(await container.logs({ stdout: true, stderr: true, follow: false }));
    return { port, logs, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

export type WrapperClient = {
  init: () => Promise<pb.InitResponse>;
  health: () => Promise<pb.HealthResponse>;
  run: (inputs: Record<string, pb.Value>) => Promise<pb.RunResponse>;
  close: () => void;
};

/** A gRPC client of the wrapper at 127.0.0.1:`port` (the same calls the runner's action client makes). */
export function wrapperClient(port: number): WrapperClient {
  const client = new pb.ActionServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const deadline = () => ({ deadline: new Date(Date.now() + 10_000) });
  const unary = <Req, Res>(method: (request: Req, metadata: Metadata, options: { deadline: Date }, callback: (error: Error | null, response: Res) => void) => unknown, request: Req) =>
    new Promise<Res>((resolve, reject) => method.call(client, request, new Metadata(), deadline(), (error, response) => (error ? reject(error) : resolve(response))));
  let executions = 0;
  return {
    init: () => unary(client.init, pb.InitRequest.fromPartial({ contractVersion: 'v1' })),
    health: () => unary(client.health, pb.HealthRequest.fromPartial({})),
    run: (inputs) => unary(client.run, pb.RunRequest.fromPartial({ executionId: `image-test-${++executions}`, inputs, timeoutMs: 10_000, attempt: 1 })),
    close: () => client.close(),
  };
}

/** A step context for calling an ImageBuilder directly: its log lines, and a signal nothing aborts. */
export function stepContext(): { lines: string[]; context: StepContext } {
  const lines: string[] = [];
  const log = { write: (line: string) => void lines.push(line), tail: () => '', store: async () => '', close: async () => undefined };
  return { lines, context: { log, signal: new AbortController().signal } };
}

/** A build request as the image builder reads it (its action id and version). */
export const aBuild = (actionId: string, imageSites: readonly string[] = []): Build.Build => Build.request({
  id: randomUUID(), projectId: randomUUID(), sourceId: randomUUID(), sourceName: 'tools', commit: '0'.repeat(40), folder: '.', actionId, version: '1.0.0',
  sourceObject: 'x', sourceSha256: 'a'.repeat(64), requestedBy: 'ada', imageSites, traceId: 't', requestedAt: new Date(),
});

export const text = (value: string): pb.Value => ({ kind: { $case: 'stringValue', stringValue: value } });

export function plain(value: pb.Value | undefined): unknown {
  const kind = value?.kind;
  return kind === undefined ? undefined : (kind as Record<string, unknown>)[kind.$case];
}
