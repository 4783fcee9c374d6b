import { relative } from 'node:path';
import { SERVICES, healthPathOf } from '../catalog.js';
import type { Output } from '../commands/output.js';
import { check } from './health.js';
import { sleep } from './processes.js';
import type { LocalSettings } from './settings.js';
import { runningSupervisor } from './supervisor-control.js';
import type { ChildState, SupervisorState } from './supervisor-plan.js';

/** A service that cannot run as configured: the supervisor gave it up. */
export class ServiceFailed extends Error {
  override name = 'ServiceFailed';
}

function shown(path: string): string {
  const near = relative(process.cwd(), path);
  return near.startsWith('..') ? path : near;
}

/** What to do about a service that stopped for a configuration reason, as far as we can tell. */
function adviceFor(name: string, output: string): string {
  if (/TRELLIS_SECRET_KEY does not open/.test(output)) {
    return (
      `Its database was made with another TRELLIS_SECRET_KEY than the one in .trellis/secrets.env (or in your environment).\n` +
      `Put back the secrets.env it was made with, or start over: \`make reset\` (deletes this instance's data), then \`make up\`.`
    );
  }
  return `Fix that, then run \`make up\` again; \`make logs name=${name}\` shows its whole log.`;
}

/** One message for the services the supervisor gave up on (status `failed`). */
export function failureReport(state: SupervisorState): string | undefined {
  const failed = Object.entries(state.children).filter((entry): entry is [string, ChildState] => entry[1].status === 'failed');
  if (failed.length === 0) return undefined;
  const parts = failed.map(([name, child]) => {
    const said = child.lastOutput ?? child.lastError ?? '';
    const output = said.split('\n').slice(-12).map((line) => `    ${line}`).join('\n');
    return `${name} cannot start as configured, so it is not restarted. It said:\n${output}\n  (log: ${shown(child.log)})\n${adviceFor(name, said)}`;
  });
  return parts.join('\n\n');
}

/** The last thing a restarting child's log says, for the progress line. */
function restarting(name: string, child: ChildState | undefined): string {
  return `${name} (${child?.status ?? '?'}${child?.restarts ? `, ${child.restarts} restarts` : ''}${child?.lastError ? `, last: ${child.lastError}` : ''})`;
}

/**
 * Waits until every service answers its /healthz through the gateway. Fails at once, saying why,
 * when the supervisor gives a service up (a configuration problem) or stops.
 */
export async function waitUntilReady(settings: LocalSettings, out: Output, timeoutMs: number): Promise<void> {
  const gateway = `http://127.0.0.1:${settings.gatewayPort}`;
  const pending = new Map(SERVICES.map((s) => [s.name as string, `${gateway}${healthPathOf(s)}`]));
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  out.step(`waiting for ${[...pending.keys()].join(', ')} to answer through ${gateway}`);
  while (pending.size > 0) {
    const results = await Promise.all([...pending].map(async ([name, url]) => ({ name, ok: (await check({ url })).ok })));
    for (const result of results) {
      if (!result.ok) continue;
      pending.delete(result.name);
      out.detail(`${result.name} ready`);
    }
    if (pending.size === 0) break;
    const state = runningSupervisor(settings.paths.stateFile);
    if (!state) throw new Error(`the supervisor stopped; see ${settings.paths.logsDir}/supervisor.log and ${settings.paths.supervisorOutFile}`);
    const failed = failureReport(state);
    if (failed) throw new ServiceFailed(failed);
    if (Date.now() > deadline) {
      const lines = [...pending.keys()].map((name) => `  ${restarting(name, state.children[name])}, log ${state.children[name]?.log ?? '?'}`);
      throw new Error(`not ready after ${Math.round(timeoutMs / 1000)} s (they keep being restarted; \`make down\` stops them):\n${lines.join('\n')}`);
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      out.detail(`still waiting for ${[...pending.keys()].map((name) => restarting(name, state.children[name])).join(', ')}`);
    }
    await sleep(500);
  }
}
