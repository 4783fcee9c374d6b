import { localSettingsFromEnv } from '../local/settings.js';
import { stopSupervisor } from '../local/supervisor-control.js';
import type { Output } from './output.js';

/** Stops the supervisor, which stops every child (SIGTERM, then SIGKILL); leaves the data in place. */
export async function down(out: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { paths } = localSettingsFromEnv(env);
  out.step('stopping');
  const { wasRunning, strays } = await stopSupervisor(paths.stateFile);
  if (strays.length > 0) out.detail(`also stopped leftovers: ${strays.join(', ')}`);
  out.step(wasRunning ? 'stopped (data kept in .trellis/ and the databases; `make up` starts it again, `make reset` deletes it)' : 'was not running');
  return 0;
}
