import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../adm/test/fixtures.js';
import { startLocalGateway, type RunningGateway } from '../../adm/test/gateway-instances.js';
import { localSettingsFromEnv } from '../../adm/src/local/settings.js';
import { statePaths } from '../../adm/src/paths.js';
import { SERVICES, type ServiceName } from './harness.js';
import { startPlatform, type Platform } from './platform.js';

// Answers are checked field by field; typing every body would only restate the schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Answer = { status: number; type: string; text: string; headers: Headers; body: any };

export type RequestOptions = { token?: string; json?: unknown; yaml?: string; headers?: Record<string, string> };

export type BehindGateway = {
  platform: Platform;
  gateway: RunningGateway;
  /** A request through the gateway, as users make it; every answer's text is also kept in `answers`. */
  api: (method: string, path: string, options?: RequestOptions) => Promise<Answer>;
  answers: string[];
  stop: () => Promise<void>;
};

/**
 * The five services from their built main.js, behind the real gateway as `make up` runs it;
 * `webuiDist` is the built web UI it serves at /app/ (none by default).
 */
export async function startBehindGateway(options: Parameters<typeof startPlatform>[0] & { webuiDist?: string } = {}): Promise<BehindGateway> {
  const platform = await startPlatform(options);
  const state = await mkdtemp(join(tmpdir(), 'trellis-e2e-gateway-'));
  await chmod(state, 0o755);
  let webui = options.webuiDist;
  if (!webui) {
    webui = join(state, 'webui');
    await mkdir(webui);
  }
  const servicePorts = Object.fromEntries(SERVICES.map(({ name }) => [name, Number(new URL(platform.running[name].url).port)])) as Record<ServiceName, number>;
  // A gateway that does not start leaves no services behind (they would poll the shared database for good).
  const gateway = await startLocalGateway({ ...localSettingsFromEnv({}), paths: statePaths(join(state, 'state')), gatewayPort: await freePort(), servicePorts, webuiDist: webui })
    .catch(async (error: unknown) => {
      await platform.stop();
      throw error;
    });
  const answers: string[] = [];
  const api = async (method: string, path: string, request: RequestOptions = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...(request.token ? { authorization: `Bearer ${request.token}` } : {}), ...request.headers };
    let body: string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.yaml !== undefined) {
      headers['content-type'] = 'application/yaml';
      body = request.yaml;
    }
    const response = await fetch(`${gateway.base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    answers.push(text);
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, type, text, headers: response.headers, body: type.includes('json') && text ? JSON.parse(text) : undefined };
  };
  return {
    platform, gateway, api, answers,
    stop: async () => {
      await gateway.stop();
      await platform.stop();
      await rm(state, { recursive: true, force: true });
    },
  };
}
