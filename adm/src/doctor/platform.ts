import type { SupervisorState } from '../local/supervisor-plan.js';
import { fail, ok, warn, type Check } from './check.js';
import { durationText } from './units.js';

/**
 * The supervisor that `up` started (its state file), or none. Stopped on purpose (`make down`)
 * is a warning: nothing is broken, though nothing moves. A process that does not stay up
 * (restarting, failed for good) is a failure, named with its last error.
 */
export function judgePlatform(state: SupervisorState | undefined, now: Date): Check {
  if (!state) return warn('platform', 'supervisor', 'not running: no service consumes, publishes, runs or builds', '`make up` starts it');
  const down = Object.entries(state.children).filter(([, child]) => child.status !== 'up');
  if (state.status !== 'running' || down.length === 0) {
    const uptime = durationText(now.getTime() - Date.parse(state.startedAt));
    if (state.status !== 'running') return warn('platform', 'supervisor', `${state.status} (pid ${state.pid})`, 'look again in a moment');
    return ok('platform', 'supervisor', `running (pid ${state.pid}, up ${uptime}), all ${Object.keys(state.children).length} processes up`);
  }
  const each = down.map(([name, child]) => `${name} ${child.status}${child.restarts > 0 ? ` after ${child.restarts} restarts` : ''}${child.lastError ? ` (${child.lastError.slice(0, 160)})` : ''}`);
  return fail('platform', 'supervisor', `not up: ${each.join('; ')}`, `\`trellis-adm logs ${down[0]?.[0] ?? '<name>'}\` says why`);
}
