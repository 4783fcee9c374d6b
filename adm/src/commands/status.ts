import { check } from '../local/health.js';
import { localSettingsFromEnv } from '../local/settings.js';
import { readState, runningSupervisor, strayChildren } from '../local/supervisor-control.js';
import type { Output } from './output.js';

function since(iso: string | null): string {
  if (!iso) return '-';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

/** One line per child: state, pid, uptime, restarts, and a live health check. */
export async function status(out: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { paths } = localSettingsFromEnv(env);
  const state = runningSupervisor(paths.stateFile);
  if (!state) {
    const last = readState(paths.stateFile);
    const strays = last ? strayChildren(last) : [];
    out.step('not running (`make up` starts it)');
    if (strays.length > 0) out.detail(`but these still run from a previous start: ${strays.map((s) => `${s.name} (pid ${s.pid})`).join(', ')}; \`make down\` stops them`);
    return 0;
  }
  out.step(`running${state.meta['instance'] ? ` instance ${state.meta['instance']}` : ''}, supervisor pid ${state.pid}, up ${since(state.startedAt)}, ${state.meta['gatewayUrl'] ?? ''}/app/`);
  const rows = await Promise.all(
    Object.entries(state.children).map(async ([name, child]) => {
      const health = child.health ? await check(child.health) : undefined;
      return [
        name,
        child.status,
        child.thread ? 'thread' : child.pid ? String(child.pid) : '-',
        child.status === 'up' ? since(child.startedAt) : '-',
        String(child.restarts),
        health ? (health.ok ? 'ok' : `failing (${health.detail})`) : '-',
        child.status !== 'up' && child.lastError ? child.lastError : '',
      ];
    }),
  );
  const header = ['NAME', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'HEALTH', ''];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  for (const row of [header, ...rows]) out.line(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  out.line(`logs: ${paths.logsDir}/<name>.log`);
  return 0;
}
