import { SERVICES } from '../catalog.js';
import { openLocalInstance } from '../local/local-instance.js';
import { serviceEnv } from '../local/service-env.js';
import { localSettingsFromEnv } from '../local/settings.js';
import type { Output } from './output.js';

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Prints, as shell `export` lines, the variables `up` gives one service, so a developer can run
 * that service alone (`eval "$(trellis-adm env studio)"`). They include its credentials, and name
 * this checkout's instance (its databases, vhost and bucket).
 */
export async function env(out: Output, args: readonly string[], environment: NodeJS.ProcessEnv = process.env): Promise<number> {
  const service = SERVICES.find((s) => s.name === args[0]);
  if (!service) {
    out.line(`usage: trellis-adm env <${SERVICES.map((s) => s.name).join('|')}>`);
    return 2;
  }
  const settings = localSettingsFromEnv(environment);
  const { secrets, admin } = await openLocalInstance(settings, environment);
  for (const [name, value] of Object.entries(serviceEnv(settings, secrets, service, admin.password))) {
    out.line(`export ${name}=${shellQuote(value)}`);
  }
  return 0;
}
